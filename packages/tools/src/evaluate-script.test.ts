import { describe, expect, it } from "vitest";
import { evaluateScript, openSandboxCount } from "./evaluate-script.js";

describe("evaluateScript", () => {
  it("computes the monthly payment of a 300,000 loan at 6% over 30 years", async () => {
    const outcome = await evaluateScript("300000 * (0.005 * 1.005**360) / (1.005**360 - 1)");
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.value).toBeCloseTo(1798.65, 2);
    // the value is not rounded; only its display is
    expect(outcome.value).not.toBe(1798.65);
  });

  it("returns an explicit `result` over the last expression, and plain data as JSON", async () => {
    const program = "const rows = [3, 1, 2];\nlet result = { sorted: [...rows].sort(), total: rows.reduce((a, b) => a + b, 0) };\n'ignored'";
    const outcome = await evaluateScript(program);
    expect(outcome).toMatchObject({ ok: true, value: { sorted: [1, 2, 3], total: 6 } });
    expect(await evaluateScript("var result = 5; 7")).toMatchObject({ ok: true, value: 5 });
  });

  it("keeps console.log output, and turns BigInt and non-finite numbers into strings", async () => {
    const outcome = await evaluateScript("console.log('step', 1, {a: 2}); [2n ** 70n, 1 / 0, NaN]");
    expect(outcome).toMatchObject({ ok: true, value: ["1180591620717411303424", "Infinity", "NaN"], logs: ['step 1 {"a":2}'] });
  });

  it("stops an endless loop at the time limit", async () => {
    const started = Date.now();
    const outcome = await evaluateScript("while (true) {}", { timeLimitMs: 300 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(outcome).toMatchObject({ ok: false, error: { code: "timeout", message: "stopped after 0.3 s: the script ran too long (an endless loop?)" } });
    const byDefault = await evaluateScript("for (;;) {}");
    expect(byDefault.ok === false && byDefault.error.message).toBe("stopped after 1 s: the script ran too long (an endless loop?)");
    expect(byDefault.durationMs).toBeLessThan(2_500);
  });

  it("stops a script that allocates without bound, small or large blocks", async () => {
    // a long time limit, so the memory limit is what stops it
    for (const code of [
      "let a=[]; while(true) a.push(new Array(1e6))",
      "let a=[]; while(true) a.push('x'.repeat(1e6))",
      "let a=[]; while(true) a.push(new Float64Array(1e6))",
    ]) {
      const outcome = await evaluateScript(code, { timeLimitMs: 20_000 });
      expect(outcome, code).toMatchObject({ ok: false, error: { code: "out_of_memory", message: "stopped: the script used more than 32 MB" } });
      expect(outcome.durationMs, code).toBeLessThan(10_000);
    }
  });

  it("stops deep recursion at the stack limit instead of overflowing the host", async () => {
    const outcome = await evaluateScript("function f(n) { return f(n + 1) + 1 } f(0)");
    expect(outcome).toMatchObject({ ok: false, error: { code: "stack_overflow" } });
    // far beyond the safe stack is clamped, not trusted
    expect(await evaluateScript("function g() { return g() } g()", { stackLimitBytes: 64 * 1024 * 1024 })).toMatchObject({
      ok: false,
      error: { code: "stack_overflow" },
    });
  });

  it("reports a syntax error with its line, and a runtime error with its message and line", async () => {
    const syntax = await evaluateScript("let x = 1;\nx +* 2");
    expect(syntax).toMatchObject({ ok: false, error: { code: "syntax_error", line: 2 } });
    expect(syntax.ok === false && syntax.error.message).toMatch(/^SyntaxError \(line 2, column \d+\): unexpected token/);

    const runtime = await evaluateScript("const a = 1;\nnull.x");
    expect(runtime).toMatchObject({ ok: false, error: { code: "runtime_error", line: 2 } });
    expect(runtime.ok === false && runtime.error.message).toMatch(/^TypeError: cannot read property 'x' of null \(line 2/);

    // a SyntaxError thrown while running is a runtime error, not a parse error
    expect(await evaluateScript("JSON.parse('{')")).toMatchObject({ ok: false, error: { code: "runtime_error" } });
    expect(await evaluateScript("throw 5")).toMatchObject({ ok: false, error: { code: "runtime_error", message: "the script threw 5" } });
  });

  it("exposes nothing of the host: no fetch, require, process, std or os", async () => {
    const outcome = await evaluateScript("[typeof fetch, typeof require, typeof process, typeof std, typeof os, typeof XMLHttpRequest]");
    expect(outcome).toMatchObject({ ok: true, value: ["undefined", "undefined", "undefined", "undefined", "undefined", "undefined"] });
    // no module loader either
    expect(await evaluateScript("import('fs')")).toMatchObject({ ok: false });
  });

  it("says when there is no value or the value is not data", async () => {
    expect(await evaluateScript("let x = 1;")).toMatchObject({ ok: false, error: { code: "no_result" } });
    expect(await evaluateScript("(() => 1)")).toMatchObject({ ok: false, error: { code: "not_serializable" } });
    expect(await evaluateScript("Promise.resolve(1)")).toMatchObject({ ok: false, error: { code: "not_serializable" } });
    expect(await evaluateScript("const o = {}; o.o = o; o")).toMatchObject({ ok: false, error: { code: "not_serializable" } });
    expect(await evaluateScript("'x'.repeat(200)", { maxResultChars: 100 })).toMatchObject({ ok: false, error: { code: "result_too_large" } });
  });

  it("does not start when the run is already stopped", async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await evaluateScript("1", { signal: controller.signal })).toMatchObject({ ok: false, error: { code: "aborted" } });
  });

  it("runs 50 calls in a row, failing ones included, and disposes every runtime", async () => {
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < 50; i++) {
      const code = i % 5 === 4 ? "let a=[]; while(true) a.push(new Float64Array(1e5))" : i % 5 === 3 ? "syntax error here" : `${i} * 2`;
      const outcome = await evaluateScript(code);
      if (i % 5 < 3) expect(outcome).toMatchObject({ ok: true, value: i * 2 });
      else expect(outcome.ok).toBe(false);
      expect(openSandboxCount()).toBe(0);
    }
    // 50 instances of 34 MB each would be 1.7 GB if any were kept
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(600 * 1024 * 1024);
  });
});
