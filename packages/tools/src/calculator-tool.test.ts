import { describe, expect, it } from "vitest";
import { createCalculatorTool, displayValue } from "./calculator-tool.js";
import { roundForDisplay } from "./round-for-display.js";
import { ToolRegistry } from "./tool-registry.js";

const ctx = () => ({ signal: new AbortController().signal });

describe("calculate (tool)", () => {
  const registry = new ToolRegistry([createCalculatorTool()]);

  it("gives the model the exact value and its rounded reading: the loan payment is 1798.65", async () => {
    const code = "300000 * (0.005 * 1.005**360) / (1.005**360 - 1)";
    const result = await registry.callTool("calculate", JSON.stringify({ code }), ctx());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ display: "1798.65", logs: [] });
    expect((result.value as { value: number }).value).toBeCloseTo(1798.6515754582708, 10);
    expect(result.toModelText()).toBe("Result: 1798.6515754582708 (rounded: 1798.65)");
  });

  it("sends the sandbox's error back to the model as an error result", async () => {
    const loop = await registry.callTool("calculate", '{"code": "while(true){}"}', ctx());
    expect(loop.toModelText()).toBe("Error (timeout): stopped after 1 s: the script ran too long (an endless loop?)");
    const syntax = await registry.callTool("calculate", '{"code": "1 +"}', ctx());
    expect(syntax).toMatchObject({ ok: false, error: { code: "syntax_error" } });
    const logged = await registry.callTool("calculate", `{"code": "console.log('checking'); undefinedName"}`, ctx());
    expect(logged.toModelText()).toMatch(/^Error \(runtime_error\): ReferenceError: 'undefinedName' is not defined.*\nconsole output:\nchecking$/s);
  });

  it("says its limits in the description the model reads", () => {
    const tool = createCalculatorTool({ timeLimitMs: 2_000, memoryLimitBytes: 16 * 1024 * 1024 });
    expect(tool.description).toContain("at most 2 s and 16 MB");
  });
});

describe("roundForDisplay / displayValue", () => {
  it("rounds for reading only", () => {
    expect(roundForDisplay(1798.6515754582708)).toBe("1798.65");
    expect(roundForDisplay(0.1 + 0.2)).toBe("0.3");
    expect(roundForDisplay(0.000123456)).toBe("0.0001235");
    expect(roundForDisplay(42)).toBe("42");
    expect(roundForDisplay(-2.675)).toBe("-2.68");
    expect(displayValue({ rate: 0.0512345, rows: [1.005, 2] })).toBe('{"rate":0.05123,"rows":[1.01,2]}');
  });
});
