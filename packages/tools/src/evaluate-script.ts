import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import releaseSync from "@jitl/quickjs-wasmfile-release-sync";
import { type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, newQuickJSWASMModuleFromVariant, newVariant } from "quickjs-emscripten-core";

export interface ScriptLimits {
  /** wall-clock limit of the script; default 1,000 ms */
  timeLimitMs?: number;
  /** the sandbox's whole heap; default 32 MB */
  memoryLimitBytes?: number;
  /** QuickJS stack; default and maximum 256 KB (more overflows the host's stack through WebAssembly) */
  stackLimitBytes?: number;
  /** bound of the result's JSON; default 100,000 characters */
  maxResultChars?: number;
  /** not started when already aborted (a running script is bounded by the time limit instead) */
  signal?: AbortSignal;
}

export type ScriptErrorCode =
  | "syntax_error"
  | "runtime_error"
  | "timeout"
  | "out_of_memory"
  | "stack_overflow"
  | "no_result"
  | "not_serializable"
  | "result_too_large"
  | "aborted"
  | "sandbox_error";

export interface ScriptError {
  code: ScriptErrorCode;
  message: string;
  line?: number;
  column?: number;
}

type ScriptEnd = { ok: true; value: unknown; logs: string[] } | { ok: false; error: ScriptError; logs: string[] };

export type ScriptOutcome = ScriptEnd & { durationMs: number };

export const DEFAULT_SCRIPT_LIMITS = { timeLimitMs: 1_000, memoryLimitBytes: 32 * 1024 * 1024, stackLimitBytes: 256 * 1024, maxResultChars: 100_000 };

const FILE = "script.js";
const PAGE = 64 * 1024;
// the module's own minimum (16 MB), and room above the script's limit for its static data and C stack
const MIN_PAGES = 256;
const HEADROOM_PAGES = 32;
const MAX_STACK = 256 * 1024;

// console.log inside the sandbox only appends to an array in the sandbox: nothing of the host is reachable
const PRELUDE = `(() => {
  const lines = [];
  const show = (v) => { if (typeof v === "string") return v; try { return JSON.stringify(v) ?? String(v); } catch { return String(v); } };
  const log = (...args) => { if (lines.length < 100) lines.push(args.map(show).join(" ").slice(0, 1000)); };
  Object.defineProperty(globalThis, "__alma_logs__", { value: lines });
  globalThis.console = { log, info: log, warn: log, error: log, debug: log };
})();`;

// reads the explicit \`result\` if the script declared one, else its last expression, as JSON
const FINISH = `(() => {
  let v;
  try { v = result; } catch { v = undefined; }
  if (v === undefined) v = globalThis.__alma_completion__;
  const logs = globalThis.__alma_logs__;
  if (v === undefined) return JSON.stringify({ status: "none", logs });
  if (typeof v === "function" || typeof v === "symbol") return JSON.stringify({ status: "bad", why: "a " + typeof v, logs });
  if (v instanceof Promise) return JSON.stringify({ status: "bad", why: "a Promise (the sandbox runs synchronous code only)", logs });
  const keep = (k, x) => typeof x === "bigint" ? x.toString() : typeof x === "number" && !Number.isFinite(x) ? String(x) : x;
  try { return JSON.stringify({ status: "ok", json: JSON.stringify(v, keep) ?? "null", logs }); }
  catch (e) { return JSON.stringify({ status: "bad", why: "not JSON (" + e.message + ")", logs }); }
})()`;

let compiled: Promise<WebAssembly.Module> | undefined;

function compileQuickJS(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const path = createRequire(import.meta.url).resolve("@jitl/quickjs-wasmfile-release-sync/wasm");
    return WebAssembly.compile(await readFile(path));
  })().catch((error) => {
    compiled = undefined;
    throw error;
  });
  return compiled;
}

let openRuntimes = 0;

/** QuickJS runtimes created and not yet disposed (0 between calls; for leak tests and diagnostics). */
export function openSandboxCount(): number {
  return openRuntimes;
}

/**
 * Runs a JavaScript program in a fresh QuickJS sandbox: no I/O, no host objects, limited in time,
 * heap and stack. The value is an explicit `result` variable, else the last expression's value.
 * Each call gets its own WebAssembly instance on a fixed-size memory: QuickJS's own memory limit
 * does not count large blocks under Emscripten (quickjs-emscripten#271), the fixed memory does.
 * Never throws.
 */
export async function evaluateScript(code: string, limits: ScriptLimits = {}): Promise<ScriptOutcome> {
  const timeLimitMs = limits.timeLimitMs ?? DEFAULT_SCRIPT_LIMITS.timeLimitMs;
  const memoryLimit = limits.memoryLimitBytes ?? DEFAULT_SCRIPT_LIMITS.memoryLimitBytes;
  const stackLimit = Math.min(limits.stackLimitBytes ?? DEFAULT_SCRIPT_LIMITS.stackLimitBytes, MAX_STACK);
  const maxResultChars = limits.maxResultChars ?? DEFAULT_SCRIPT_LIMITS.maxResultChars;
  const started = performance.now();
  const done = (end: ScriptEnd): ScriptOutcome => ({ ...end, durationMs: performance.now() - started });
  if (limits.signal?.aborted) return done({ ok: false, error: { code: "aborted", message: "not run: the run was stopped" }, logs: [] });

  let runtime: QuickJSRuntime | undefined;
  let context: QuickJSContext | undefined;
  try {
    const pages = Math.max(MIN_PAGES, Math.ceil(memoryLimit / PAGE) + HEADROOM_PAGES);
    const wasmMemory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const quickjs = await newQuickJSWASMModuleFromVariant(newVariant(releaseSync, { wasmModule: await compileQuickJS(), wasmMemory }));
    runtime = quickjs.newRuntime();
    openRuntimes += 1;
    runtime.setMemoryLimit(memoryLimit);
    runtime.setMaxStackSize(stackLimit);
    let interrupted = false;
    const deadline = Date.now() + timeLimitMs;
    runtime.setInterruptHandler(() => {
      if (Date.now() > deadline) interrupted = true;
      return interrupted;
    });
    context = runtime.newContext();
    context.unwrapResult(context.evalCode(PRELUDE, "prelude.js")).dispose();

    const evaluated = context.evalCode(code, FILE);
    if (evaluated.error) {
      const thrown = context.dump(evaluated.error);
      evaluated.error.dispose();
      const limitsHit = { interrupted, timeLimitMs, memoryLimit, stackLimit, nearMemoryLimit: nearLimit(context, runtime, memoryLimit) };
      const error = classifyThrown(thrown, limitsHit);
      return done({ ok: false, error, logs: error.code === "runtime_error" ? readLogs(context) : [] });
    }
    context.setProp(context.global, "__alma_completion__", evaluated.value);
    evaluated.value.dispose();
    const finished = context.evalCode(FINISH, "finish.js");
    if (finished.error) {
      const thrown = context.dump(finished.error);
      finished.error.dispose();
      return done({ ok: false, error: classifyThrown(thrown, { interrupted, timeLimitMs, memoryLimit, stackLimit, nearMemoryLimit: false }), logs: [] });
    }
    const report = JSON.parse(context.getString(finished.value)) as { status: "ok" | "none" | "bad"; json?: string; why?: string; logs: string[] };
    finished.value.dispose();
    const logs = report.logs;
    if (report.status === "none") {
      return done({ ok: false, error: { code: "no_result", message: "the script produced no value: end it with an expression, or assign `result`" }, logs });
    }
    if (report.status === "bad")
      return done({
        ok: false,
        error: { code: "not_serializable", message: `the result is ${report.why}; return numbers, strings, arrays or plain objects` },
        logs,
      });
    const json = report.json ?? "null";
    if (json.length > maxResultChars) {
      return done({
        ok: false,
        error: { code: "result_too_large", message: `the result is ${json.length} characters of JSON (limit ${maxResultChars}); return a summary` },
        logs,
      });
    }
    return done({ ok: true, value: JSON.parse(json), logs });
  } catch (error) {
    return done({ ok: false, error: classifyHostError(error, stackLimit), logs: [] });
  } finally {
    try {
      context?.dispose();
      if (runtime) {
        runtime.dispose();
        openRuntimes -= 1;
      }
    } catch {
      // an instance that aborted cannot be disposed; it is dropped with its memory
      if (runtime) openRuntimes -= 1;
    }
  }
}

interface LimitsHit {
  interrupted: boolean;
  timeLimitMs: number;
  memoryLimit: number;
  stackLimit: number;
  nearMemoryLimit: boolean;
}

interface Thrown {
  name?: unknown;
  message?: unknown;
  stack?: unknown;
}

function classifyThrown(thrown: unknown, hit: LimitsHit): ScriptError {
  if (hit.interrupted) return { code: "timeout", message: `stopped after ${formatSeconds(hit.timeLimitMs)}: the script ran too long (an endless loop?)` };
  const memory = { code: "out_of_memory" as const, message: `stopped: the script used more than ${formatMegabytes(hit.memoryLimit)}` };
  // out of memory so deep that QuickJS could not allocate the error object
  if (thrown === null || thrown === undefined) return hit.nearMemoryLimit ? memory : { code: "runtime_error", message: `the script threw ${String(thrown)}` };
  if (typeof thrown !== "object") return { code: "runtime_error", message: `the script threw ${JSON.stringify(thrown) ?? String(thrown)}` };
  const { name, message, stack } = thrown as Thrown;
  const text = typeof message === "string" ? message : String(message);
  const where = locate(typeof stack === "string" ? stack : "");
  if (name === "InternalError" && /out of memory/.test(text)) return memory;
  if (name === "InternalError" && /stack overflow/.test(text)) {
    return { code: "stack_overflow", message: `stopped: the recursion went too deep (stack limit ${Math.round(hit.stackLimit / 1024)} KB)` };
  }
  const at = where.line ? ` (line ${where.line}${where.column ? `, column ${where.column}` : ""})` : "";
  if (name === "SyntaxError" && where.parse) return { code: "syntax_error", message: `SyntaxError${at}: ${text}`, ...where.position };
  return { code: "runtime_error", message: `${typeof name === "string" ? name : "Error"}: ${text}${at}`, ...where.position };
}

/** The first frame in the script; a parse error's frame has no function name ("at script.js:2:5"). */
function locate(stack: string): { line?: number; column?: number; parse: boolean; position: { line?: number; column?: number } } {
  const first = stack.split("\n").find((l) => l.includes(FILE)) ?? "";
  const match = /script\.js:(\d+)(?::(\d+))?/.exec(first);
  if (!match) return { parse: false, position: {} };
  const line = Number(match[1]);
  const column = match[2] ? Number(match[2]) : undefined;
  const parse = /^\s*at script\.js/.test(stack.split("\n")[0] ?? "");
  return { line, column, parse, position: column === undefined ? { line } : { line, column } };
}

function nearLimit(context: QuickJSContext, runtime: QuickJSRuntime, limit: number): boolean {
  try {
    const usage: QuickJSHandle = runtime.computeMemoryUsage();
    const used = (context.dump(usage) as { memory_used_size?: number }).memory_used_size ?? 0;
    usage.dispose();
    return used >= limit * 0.75;
  } catch {
    return true;
  }
}

function readLogs(context: QuickJSContext): string[] {
  try {
    const handle = context.getProp(context.global, "__alma_logs__");
    const logs = context.dump(handle) as unknown;
    handle.dispose();
    return Array.isArray(logs) ? logs.map(String) : [];
  } catch {
    return [];
  }
}

function classifyHostError(error: unknown, stackLimit: number): ScriptError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RangeError && /call stack/i.test(message)) {
    return { code: "stack_overflow", message: `stopped: the recursion went too deep (stack limit ${Math.round(stackLimit / 1024)} KB)` };
  }
  return { code: "sandbox_error", message: `the sandbox failed: ${message}` };
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}

export function formatMegabytes(bytes: number): string {
  return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
}
