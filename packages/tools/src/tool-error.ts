/** Codes the registry itself produces; tools add their own (e.g. "timeout", "syntax_error"). */
export type RegistryErrorCode = "unknown_tool" | "invalid_json" | "invalid_arguments" | "tool_crashed" | "aborted";

export interface ToolErrorInfo {
  code: string;
  message: string;
}

/**
 * An expected failure of a tool: what went wrong, said so the model can fix its call or explain.
 * A tool returns it (or throws it); anything else a tool throws is reported as "tool_crashed".
 */
export class ToolError extends Error {
  // a brand, so a ToolError from another copy of this package is still recognised
  readonly isToolError = true;

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ToolError";
  }

  toInfo(): ToolErrorInfo {
    return { code: this.code, message: this.message };
  }
}

export function isToolError(value: unknown): value is ToolError {
  return value instanceof ToolError || (typeof value === "object" && value !== null && (value as { isToolError?: unknown }).isToolError === true);
}
