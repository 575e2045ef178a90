import { ChatWrapper, type ChatModelFunctions, type GbnfJsonSchema } from "node-llama-cpp";
import type { ModelTool } from "./chat-model.js";

type Schema = Record<string, unknown>;

const FORMATS = new Set(["date-time", "time", "date"]);
const BASIC_TYPES = new Set(["string", "number", "integer", "boolean", "null"]);
// what an unconstrained schema ({}, a $ref, a type the grammar has no rule for) may hold
const ANY_VALUE: GbnfJsonSchema = {
  oneOf: [{ type: ["string", "number", "boolean", "null"] }, { type: "array" }, { type: "object", additionalProperties: true }],
};

/** The tools as node-llama-cpp functions: the model calls them through its chat template, constrained by a grammar of their parameters. */
export function toLlamaFunctions(tools: readonly ModelTool[]): ChatModelFunctions {
  const functions: Record<string, { description?: string; params?: GbnfJsonSchema }> = {};
  for (const tool of tools) {
    const params = toGbnfJsonSchema(tool.parameters);
    functions[tool.name] = { ...(tool.description ? { description: tool.description } : {}), params };
  }
  return functions;
}

/**
 * A JSON Schema cut down to what node-llama-cpp's JSON grammar knows (types, enum, const, oneOf, properties and
 * required, items, lengths, string formats): `anyOf` becomes `oneOf`; bounds such as `minimum` are left to the
 * tool's own validation; `$ref` and unknown types accept any value.
 */
export function toGbnfJsonSchema(schema: unknown): GbnfJsonSchema {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return ANY_VALUE;
  const s = schema as Schema;
  const description = typeof s.description === "string" ? { description: s.description } : {};
  if ("const" in s && isScalar(s.const)) return { const: s.const, ...description };
  if (Array.isArray(s.enum) && s.enum.every(isScalar)) return { enum: s.enum, ...description };
  const alternatives = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : null;
  if (alternatives) return { oneOf: alternatives.map(toGbnfJsonSchema), ...description };
  const type = s.type;
  if (Array.isArray(type) && type.length > 0 && type.every((t) => typeof t === "string" && BASIC_TYPES.has(t))) {
    return { type: type as ("string" | "number" | "integer" | "boolean" | "null")[], ...description };
  }
  switch (type) {
    case "string":
      if (typeof s.format === "string" && FORMATS.has(s.format)) return { type: "string", format: s.format as "date-time" | "time" | "date", ...description };
      return { type: "string", ...numberField(s, "minLength"), ...numberField(s, "maxLength"), ...description };
    case "number":
    case "integer":
    case "boolean":
    case "null":
      return { type, ...description };
    case "array":
      return {
        type: "array",
        ...("items" in s && s.items !== true ? { items: toGbnfJsonSchema(s.items) } : {}),
        ...(Array.isArray(s.prefixItems) ? { prefixItems: s.prefixItems.map(toGbnfJsonSchema) } : {}),
        ...numberField(s, "minItems"),
        ...numberField(s, "maxItems"),
        ...description,
      };
    case "object": {
      const properties = typeof s.properties === "object" && s.properties !== null ? (s.properties as Schema) : {};
      const required = Array.isArray(s.required) ? s.required.filter((k): k is string => typeof k === "string" && k in properties) : [];
      const extra = s.additionalProperties;
      return {
        type: "object",
        properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, toGbnfJsonSchema(v)])),
        required,
        ...(extra === true
          ? { additionalProperties: true }
          : typeof extra === "object" && extra !== null
            ? { additionalProperties: toGbnfJsonSchema(extra) }
            : {}),
        ...description,
      };
    }
    default:
      return ANY_VALUE;
  }
}

/**
 * true when the chat wrapper has a function-calling format of its own (Llama 3.1, Qwen, Mistral, Functionary,
 * DeepSeek, Harmony ... or a Jinja template whose tool syntax node-llama-cpp read); the generic wrappers for
 * models without a tool-aware template fall back to node-llama-cpp's default syntax, which such models never learned.
 */
export function chatWrapperCallsFunctions(wrapper: ChatWrapper): boolean {
  return JSON.stringify(wrapper.settings.functions) !== JSON.stringify(ChatWrapper.defaultSettings.functions);
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

function numberField(s: Schema, key: string): Record<string, number> {
  return typeof s[key] === "number" ? { [key]: s[key] as number } : {};
}
