import { jsonToolInstructions } from "@alma/tools";
import type { FakeOfferedTool } from "./fake-handler.js";

// the convention's fixed lines, taken from @alma/tools so the fake follows its wording
const INSTRUCTION_LINES = jsonToolInstructions([]).split("\n");
const HEADER = INSTRUCTION_LINES[0] ?? "You can use these tools:";
const CALL_LINE = INSTRUCTION_LINES.find((line) => line.startsWith("To use a tool")) ?? "To use a tool";
const LAST_LINE = INSTRUCTION_LINES.at(-1) ?? "";
const TOOL_ENTRY = /^- ([A-Za-z0-9_-]{1,64}): (.*)\n {2}arguments \(JSON Schema\): (.*)$/gm;

/** The tools a text offers under the JSON tool convention (`jsonToolInstructions`); empty when it has no such instructions. */
export function jsonConventionTools(text: string): FakeOfferedTool[] {
  const start = text.indexOf(HEADER);
  if (start === -1 || !text.includes(CALL_LINE, start)) return [];
  const block = text.slice(start, text.indexOf(CALL_LINE, start));
  const tools: FakeOfferedTool[] = [];
  for (const [, name, description, schema] of block.matchAll(TOOL_ENTRY)) {
    let parameters: Record<string, unknown> = {};
    try {
      parameters = JSON.parse(schema ?? "{}") as Record<string, unknown>;
    } catch {
      parameters = {};
    }
    tools.push({ name: name!, description: description ?? "", parameters });
  }
  return tools;
}

/** The text without the convention's instructions, so they are not read as the question. */
export function withoutJsonConvention(text: string): string {
  const start = text.indexOf(HEADER);
  if (start === -1) return text;
  const lastLine = text.indexOf(LAST_LINE, start);
  const end = lastLine === -1 ? text.length : lastLine + LAST_LINE.length;
  return `${text.slice(0, start)}${text.slice(end)}`.trim();
}

/** A call written the convention's way: the text a model without function calling answers (arguments that are not JSON stay so). */
export function jsonConventionCall(tool: string, args: string | Record<string, unknown>): string {
  const argumentText = typeof args === "string" ? args : JSON.stringify(args);
  const call = `{"tool": ${JSON.stringify(tool)}, "arguments": ${argumentText}`;
  return isJson(argumentText) ? `${call}}` : call;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
