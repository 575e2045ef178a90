import { formatZodIssues } from "./format-zod-issues.js";
import { DEFAULT_MAX_MODEL_TEXT_CHARS, type ToolCallResult, errorResult, okResult } from "./tool-call-result.js";
import { type AnyToolDefinition, type OpenAITool, type ToolContext, toOpenAITool } from "./tool-definition.js";
import { type ToolErrorInfo, isToolError } from "./tool-error.js";

export interface ToolRegistryOptions {
  /** bound of `toModelText()`; default 8,000 characters */
  maxModelTextChars?: number;
  /** a call that has not settled by then is reported as "timeout" and its signal aborted; default 30 s */
  timeoutMs?: number;
}

/** The tools one worker may use, and the one way to call them. */
export class ToolRegistry {
  private readonly tools = new Map<string, AnyToolDefinition>();
  private readonly maxChars: number;
  private readonly timeoutMs: number;

  constructor(tools: readonly AnyToolDefinition[] = [], options: ToolRegistryOptions = {}) {
    this.maxChars = options.maxModelTextChars ?? DEFAULT_MAX_MODEL_TEXT_CHARS;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    for (const tool of tools) this.register(tool);
  }

  register(tool: AnyToolDefinition): this {
    if (this.tools.has(tool.name)) throw new Error(`A tool named "${tool.name}" is already registered.`);
    this.tools.set(tool.name, tool);
    return this;
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  get(name: string): AnyToolDefinition | undefined {
    return this.tools.get(name);
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  /** A registry of some of these tools (a worker kind's allowance); an unknown name is a setup error. */
  select(names: readonly string[]): ToolRegistry {
    const missing = names.filter((n) => !this.tools.has(n));
    if (missing.length > 0) throw new Error(`No tool named ${missing.map((n) => `"${n}"`).join(", ")}; registered: ${this.names().join(", ") || "none"}.`);
    return new ToolRegistry(
      names.map((n) => this.tools.get(n)!),
      { maxModelTextChars: this.maxChars, timeoutMs: this.timeoutMs },
    );
  }

  /** The chat request's `tools` array. */
  toOpenAITools(): OpenAITool[] {
    return [...this.tools.values()].map(toOpenAITool);
  }

  /**
   * Calls a tool by name with the arguments as the model sent them (a JSON string, or an object
   * already parsed). Never throws: every failure is an error result the model can read.
   */
  async callTool(name: string, rawArguments: unknown, ctx: ToolContext): Promise<ToolCallResult> {
    const started = performance.now();
    const fail = (error: ToolErrorInfo) => errorResult(name, error, performance.now() - started, this.maxChars);
    const tool = this.tools.get(name);
    if (!tool) {
      const list = this.names();
      const which = list.length > 0 ? `The tools are: ${list.join(", ")}.` : "No tools are available here.";
      return fail({ code: "unknown_tool", message: `There is no tool named "${name}". ${which}` });
    }
    const parsed = parseArguments(rawArguments);
    if ("error" in parsed) return fail({ code: "invalid_json", message: `The arguments of ${name} are not valid JSON: ${parsed.error}` });
    const checked = tool.parameters.safeParse(parsed.value);
    if (!checked.success) {
      return fail({ code: "invalid_arguments", message: `The arguments of ${name} do not match its parameters: ${formatZodIssues(checked.error)}.` });
    }
    if (ctx.signal.aborted) return fail({ code: "aborted", message: `${name} was not run: the run was stopped.` });

    const controller = new AbortController();
    const onAbort = () => controller.abort(ctx.signal.reason);
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.timeoutMs);
    });
    try {
      const running = Promise.resolve().then(() => tool.run(checked.data, { signal: controller.signal }));
      // a tool that fails after its timeout must not become an unhandled rejection
      running.catch(() => {});
      const outcome = await Promise.race([running, timedOut]);
      if (outcome === "timeout") {
        controller.abort(new Error("timeout"));
        return fail({ code: "timeout", message: `${name} did not finish within ${this.timeoutMs / 1000} s.` });
      }
      if (isToolError(outcome)) return fail(outcome.toInfo());
      const text = tool.toModelText ? tool.toModelText(outcome) : (JSON.stringify(outcome) ?? "null");
      return okResult(name, outcome, performance.now() - started, text, this.maxChars);
    } catch (error) {
      if (isToolError(error)) return fail(error.toInfo());
      if (ctx.signal.aborted) return fail({ code: "aborted", message: `${name} stopped: the run was stopped.` });
      const message = error instanceof Error ? error.message : String(error);
      return fail({ code: "tool_crashed", message: `${name} failed: ${message}` });
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener("abort", onAbort);
    }
  }
}

/** "" is no arguments (some servers send it for a tool without parameters); a JSON string of JSON is unwrapped once. */
function parseArguments(raw: unknown): { value: unknown } | { error: string } {
  if (typeof raw !== "string") return { value: raw ?? {} };
  if (raw.trim() === "") return { value: {} };
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === "string" && value.trim().startsWith("{")) {
      try {
        return { value: JSON.parse(value) };
      } catch {
        // not double-encoded after all: let the schema say what is wrong
      }
    }
    return { value };
  } catch (error) {
    const message = (error as Error).message;
    return { error: `${message.length > 200 ? `${message.slice(0, 200)}…` : message}. Send one JSON object that matches the parameters.` };
  }
}
