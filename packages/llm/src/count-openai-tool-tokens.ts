import type { ModelTool } from "./chat-model.js";
import { encode } from "gpt-tokenizer/encoding/o200k_base";

/** tokens OpenAI adds around the functions block */
export const OPENAI_TOOLS_OVERHEAD = 9;
/** the block joins an existing system message instead of making its own */
export const OPENAI_TOOLS_SYSTEM_DISCOUNT = 4;

type Schema = { type?: unknown; description?: unknown; enum?: unknown; properties?: unknown; required?: unknown; items?: unknown };

/**
 * Tokens the `tools` of a request add to its prompt. OpenAI renders the functions into the system prompt as a
 * TypeScript namespace (`namespace functions { // description \n type name = (_: { arg: string, }) => any; }`),
 * which is what is counted here; the overhead figures are the ones measured by openai-chat-tokens. The fake server
 * (@alma/testing) bills tools the same way, so a test can tell the two apart only when one of them changes.
 */
export function countOpenAIToolTokens(tools: readonly ModelTool[], hasSystemMessage: boolean): number {
  if (tools.length === 0) return 0;
  const rendered = encode(renderFunctions(tools), { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() }).length;
  return rendered + OPENAI_TOOLS_OVERHEAD - (hasSystemMessage ? OPENAI_TOOLS_SYSTEM_DISCOUNT : 0);
}

/** The functions as the model reads them. */
export function renderFunctions(tools: readonly ModelTool[]): string {
  const lines = ["# Tools", "", "## functions", "", "namespace functions {", ""];
  for (const tool of tools) {
    if (tool.description) lines.push(`// ${tool.description}`);
    const params = (tool.parameters ?? {}) as Schema;
    const properties = objectProperties(params, 0);
    if (properties.length > 0) lines.push(`type ${tool.name} = (_: {`, properties, "}) => any;");
    else lines.push(`type ${tool.name} = () => any;`);
    lines.push("");
  }
  lines.push("} // namespace functions");
  return lines.join("\n");
}

function objectProperties(schema: Schema, indent: number): string {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  const lines: string[] = [];
  for (const [name, value] of Object.entries(properties)) {
    const property = (isRecord(value) ? value : {}) as Schema;
    if (typeof property.description === "string" && indent < 2) lines.push(`// ${property.description}`);
    lines.push(`${name}${required.includes(name) ? "" : "?"}: ${typeText(property, indent)},`);
  }
  return lines.map((line) => " ".repeat(indent) + line).join("\n");
}

function typeText(schema: Schema, indent: number): string {
  const values = Array.isArray(schema.enum) ? schema.enum : null;
  switch (schema.type) {
    case "string":
      return values ? values.map((v) => JSON.stringify(v)).join(" | ") : "string";
    case "number":
    case "integer":
      return values ? values.join(" | ") : "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "object":
      return ["{", objectProperties(schema, indent + 2), "}"].join("\n");
    case "array":
      return isRecord(schema.items) ? `${typeText(schema.items as Schema, indent)}[]` : "any[]";
    default:
      return "any";
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
