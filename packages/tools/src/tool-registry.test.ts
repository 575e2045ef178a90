import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool, toOpenAITool } from "./tool-definition.js";
import { ToolError } from "./tool-error.js";
import { ToolRegistry } from "./tool-registry.js";

const ctx = () => ({ signal: new AbortController().signal });

const add = defineTool({
  name: "add",
  description: "Adds two numbers.",
  parameters: z.object({ a: z.number(), b: z.number().default(0) }),
  run: ({ a, b }) => a + b,
});

const fails = defineTool({
  name: "fails",
  description: "Always fails in some way.",
  parameters: z.object({ how: z.enum(["tool-error", "returned-error", "throw", "throw-string"]) }),
  run({ how }) {
    if (how === "tool-error") throw new ToolError("not_found", "nothing matched");
    if (how === "returned-error") return new ToolError("too_vague", "say more");
    if (how === "throw") throw new TypeError("x is undefined");
    throw "a string";
  },
});

describe("ToolDefinition", () => {
  it("becomes an OpenAI tools entry with the input JSON Schema of its arguments", () => {
    expect(toOpenAITool(add)).toEqual({
      type: "function",
      function: {
        name: "add",
        description: "Adds two numbers.",
        parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number", default: 0 } }, required: ["a"] },
      },
    });
  });

  it("refuses a name OpenAI would refuse", () => {
    expect(() => defineTool({ ...add, name: "has space" })).toThrow(/letters, digits/);
  });
});

describe("ToolRegistry.callTool", () => {
  const registry = new ToolRegistry([add, fails]);

  it("runs a tool with validated arguments (defaults applied) and times it", async () => {
    const result = await registry.callTool("add", '{"a": 2}', ctx());
    expect(result).toMatchObject({ ok: true, tool: "add", value: 2 });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(result.toModelText()).toBe("2");
    expect(await registry.callTool("add", { a: 1, b: 2 }, ctx())).toMatchObject({ ok: true, value: 3 });
    // some models encode the arguments twice
    expect(await registry.callTool("add", JSON.stringify('{"a": 5}'), ctx())).toMatchObject({ ok: true, value: 5 });
  });

  it("says which tools exist when the model calls one that does not", async () => {
    const result = await registry.callTool("multiply", "{}", ctx());
    expect(result).toMatchObject({ ok: false, error: { code: "unknown_tool", message: 'There is no tool named "multiply". The tools are: add, fails.' } });
    expect(result.toModelText()).toBe('Error (unknown_tool): There is no tool named "multiply". The tools are: add, fails.');
  });

  it("says the arguments are not JSON, or how they miss the schema", async () => {
    const notJson = await registry.callTool("add", "{a: 1}", ctx());
    expect(notJson).toMatchObject({ ok: false, error: { code: "invalid_json" } });
    expect(notJson.ok === false && notJson.error.message).toMatch(/^The arguments of add are not valid JSON: .*position 1/);
    const wrong = await registry.callTool("add", '{"a": "two", "b": null}', ctx());
    expect(wrong.ok === false && wrong.error).toEqual({
      code: "invalid_arguments",
      message:
        "The arguments of add do not match its parameters: a: Invalid input: expected number, received string; b: Invalid input: expected number, received null.",
    });
    expect(await registry.callTool("add", "[1, 2]", ctx())).toMatchObject({
      ok: false,
      error: { code: "invalid_arguments", message: /arguments: Invalid input: expected object/ },
    });
  });

  it("turns every way a tool fails into an error result", async () => {
    expect(await registry.callTool("fails", '{"how": "tool-error"}', ctx())).toMatchObject({
      ok: false,
      error: { code: "not_found", message: "nothing matched" },
    });
    expect(await registry.callTool("fails", '{"how": "returned-error"}', ctx())).toMatchObject({ ok: false, error: { code: "too_vague" } });
    expect(await registry.callTool("fails", '{"how": "throw"}', ctx())).toMatchObject({
      ok: false,
      error: { code: "tool_crashed", message: "fails failed: x is undefined" },
    });
    expect(await registry.callTool("fails", '{"how": "throw-string"}', ctx())).toMatchObject({
      ok: false,
      error: { code: "tool_crashed", message: "fails failed: a string" },
    });
  });

  it("stops a tool that does not settle, and aborts its signal", async () => {
    let aborted = false;
    const hangs = defineTool({
      name: "hangs",
      description: "Never settles.",
      parameters: z.object({}),
      run: (_args, { signal }) =>
        new Promise<never>(() => {
          signal.addEventListener("abort", () => {
            aborted = true;
          });
        }),
    });
    const result = await new ToolRegistry([hangs], { timeoutMs: 50 }).callTool("hangs", "", ctx());
    expect(result).toMatchObject({ ok: false, error: { code: "timeout", message: "hangs did not finish within 0.05 s." } });
    expect(aborted).toBe(true);
  });

  it("does not run a tool when the run is already stopped", async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await registry.callTool("add", '{"a": 1}', { signal: controller.signal })).toMatchObject({ ok: false, error: { code: "aborted" } });
  });

  it("bounds the text that goes back to the model", async () => {
    const long = defineTool({ name: "long", description: "A long result.", parameters: z.object({}), run: () => "x".repeat(10_000), toModelText: (v) => v });
    const text = (await new ToolRegistry([long], { maxModelTextChars: 100 }).callTool("long", "{}", ctx())).toModelText();
    expect(text.length).toBeLessThanOrEqual(100);
    expect(text).toMatch(/\[truncated: \d+ more characters\]$/);
  });
});

describe("ToolRegistry", () => {
  it("lists its tools as the OpenAI tools array, and selects a worker's subset", () => {
    const registry = new ToolRegistry([add, fails]);
    expect(registry.toOpenAITools().map((t) => t.function.name)).toEqual(["add", "fails"]);
    const subset = registry.select(["add"]);
    expect(subset.names()).toEqual(["add"]);
    expect(() => registry.select(["nope"])).toThrow(/No tool named "nope"/);
    expect(() => registry.register(add)).toThrow(/already registered/);
  });
});
