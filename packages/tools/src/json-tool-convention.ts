import type { OpenAITool } from "./tool-definition.js";

/** What a model without function calling said, read as the JSON convention. */
export type JsonToolCallParse =
  | { status: "none" }
  /** the text so far begins a call that is not finished (streaming): hide it, show "calling <tool>…" */
  | { status: "partial"; tool?: string }
  | { status: "call"; tool: string; arguments: Record<string, unknown>; start: number; end: number; before: string; after: string }
  | { status: "invalid"; error: { code: "invalid_json" | "invalid_call" | "unknown_tool"; message: string } };

export interface ParseJsonToolCallOptions {
  /** the tools that exist; a call to another is "invalid" with a message naming them */
  toolNames?: readonly string[];
  /** false while the text is still streaming: an unfinished call is "partial", not "invalid"; default true */
  final?: boolean;
}

/**
 * The instruction that gives a model without function calling the same tools: it lists them
 * with their JSON Schemas and asks for one JSON object on its own to call one.
 */
export function jsonToolInstructions(tools: readonly OpenAITool[]): string {
  const list = tools.map(({ function: f }) => `- ${f.name}: ${f.description}\n  arguments (JSON Schema): ${JSON.stringify(f.parameters)}`).join("\n");
  return [
    "You can use these tools:",
    list,
    "",
    "To use a tool, reply with exactly one JSON object and nothing else, no code fence, no text before or after:",
    '{"tool": "<tool name>", "arguments": { ... }}',
    "where the arguments follow the tool's JSON Schema.",
    'The result comes back in the next message, starting with "Tool result (<tool name>):". Call one tool per reply.',
    "When you have what you need, answer normally, without JSON.",
  ].join("\n");
}

/** The message that carries a tool's result back to the model under the convention. */
export function jsonToolResultMessage(tool: string, modelText: string): string {
  return `Tool result (${tool}):\n${modelText}`;
}

const CALL_START = /\{\s*"(?:tool|name)"\s*:/g;
const ARGUMENT_KEYS = ["arguments", "args", "parameters", "input"] as const;

/**
 * Finds a tool call in a model's reply: `{"tool": "...", "arguments": {...}}` (also with
 * "name" for "tool" and "args"/"parameters"/"input" for "arguments", as small models write),
 * anywhere in the text, in a code fence or between prose. The first call counts.
 */
export function parseJsonToolCall(text: string, options: ParseJsonToolCallOptions = {}): JsonToolCallParse {
  const final = options.final ?? true;
  for (const match of text.matchAll(CALL_START)) {
    const start = match.index;
    const end = matchingBrace(text, start);
    if (end === -1) {
      if (!final) return { status: "partial", tool: partialToolName(text.slice(start)) };
      return {
        status: "invalid",
        error: { code: "invalid_json", message: "The tool call is cut off: its JSON object is never closed. Send the whole object." },
      };
    }
    const source = text.slice(start, end);
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      return {
        status: "invalid",
        error: {
          code: "invalid_json",
          message: `The tool call is not valid JSON (${(error as Error).message.slice(0, 200)}). Send {"tool": "<name>", "arguments": {...}}.`,
        },
      };
    }
    const call = value as Record<string, unknown>;
    const tool = call.tool ?? call.name;
    const argumentKey = ARGUMENT_KEYS.find((k) => k in call);
    // {"name": ...} alone is likely data the model is showing, not a call
    if (!("tool" in call) && argumentKey === undefined) continue;
    if (typeof tool !== "string" || tool === "") {
      return { status: "invalid", error: { code: "invalid_call", message: 'The tool call needs "tool": the name of the tool, as a string.' } };
    }
    const args = argumentKey === undefined ? {} : call[argumentKey];
    if (typeof args !== "object" || args === null || Array.isArray(args)) {
      return { status: "invalid", error: { code: "invalid_call", message: `The "arguments" of the call to ${tool} must be a JSON object.` } };
    }
    if (options.toolNames && !options.toolNames.includes(tool)) {
      const which = options.toolNames.length > 0 ? `The tools are: ${options.toolNames.join(", ")}.` : "No tools are available.";
      return { status: "invalid", error: { code: "unknown_tool", message: `There is no tool named "${tool}". ${which}` } };
    }
    return {
      status: "call",
      tool,
      arguments: args as Record<string, unknown>,
      start,
      end,
      before: stripFence(text.slice(0, start)),
      after: stripFence(text.slice(end)),
    };
  }
  // a reply that is still streaming may be about to start a call
  if (!final && /\{\s*(?:"(?:t(?:o(?:o(?:l)?)?)?|n(?:a(?:m(?:e)?)?)?)?"?)?\s*$/.test(text)) return { status: "partial" };
  return { status: "none" };
}

/** The index just past the brace that closes the one at `start`, minding strings; -1 when unclosed. */
function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth += 1;
    else if (c === "}") {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** The tool's name once it is complete in an unfinished call (`{"tool": "calcu` has none yet). */
function partialToolName(source: string): string | undefined {
  const match = /^\{\s*"(?:tool|name)"\s*:\s*"((?:[^"\\]|\\.)+)"/.exec(source);
  if (!match) return undefined;
  try {
    return JSON.parse(`"${match[1]}"`) as string;
  } catch {
    return undefined;
  }
}

/** The prose around a call, without the code fence the call may sit in. */
function stripFence(prose: string): string {
  return prose
    .replace(/```(?:json)?\s*$/i, "")
    .replace(/^\s*```/, "")
    .trim();
}
