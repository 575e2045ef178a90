import { z } from "zod";
import type { ToolError } from "./tool-error.js";

export interface ToolContext {
  /** aborted when the run stops; long tools should give up early */
  signal: AbortSignal;
}

/**
 * A tool a model may call: its arguments are a zod schema (validated before `run`), its result
 * is anything JSON-serialisable, and an expected failure is a returned or thrown `ToolError`.
 */
export interface ToolDefinition<Args = unknown, Result = unknown> {
  /** what the model calls it: letters, digits, `_` and `-`, at most 64 (OpenAI's rule) */
  name: string;
  /** what the model (and the planner) reads to decide when to use it */
  description: string;
  parameters: z.ZodType<Args>;
  run(args: Args, ctx: ToolContext): Promise<Result | ToolError> | Result | ToolError;
  /** the tool message the model reads; JSON of the value when absent */
  toModelText?(value: Result): string;
}

/** An entry of the OpenAI chat `tools` array. */
export interface OpenAITool {
  type: "function";
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Infers `Args` from the schema, so `run` is typed without repeating it. */
export function defineTool<S extends z.ZodType, Result>(
  tool: Omit<ToolDefinition<z.output<S>, Result>, "parameters"> & { parameters: S },
): ToolDefinition<z.output<S>, Result> {
  if (!TOOL_NAME.test(tool.name)) throw new RangeError(`Tool name "${tool.name}" must be 1-64 letters, digits, "_" or "-".`);
  return tool as ToolDefinition<z.output<S>, Result>;
}

/**
 * The JSON Schema of a tool's arguments as the model sees them: the input side of the schema
 * (a field with a default is optional), without `$schema`, which some servers reject.
 */
export function argumentsJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

/** Any tool, its argument and result types erased (methods are bivariant, so every tool fits). */
export type AnyToolDefinition = ToolDefinition<unknown, unknown>;

export function toOpenAITool(tool: AnyToolDefinition): OpenAITool {
  return {
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: argumentsJsonSchema(tool.parameters) },
  };
}
