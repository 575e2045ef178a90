import { APIError } from "openai";
import { LlmError } from "./llm-error.js";

// how servers say a model or setup takes no tools: Ollama ("registry.ollama.ai/library/<m> does not support tools"),
// llama.cpp without --jinja ("tools param requires --jinja flag"; older builds "Unsupported param: tools"), vLLM without
// --enable-auto-tool-choice, OpenAI's models without function calling ("Unsupported parameter: 'tools'"), LM Studio when
// the model's template cannot render tools, and the generic wordings of other servers
const REFUSALS = [
  /does not support (?:tools|tool use|tool calling|function calling|functions)/i,
  /tools param requires --jinja/i,
  /tool choice requires --enable-auto-tool-choice/i,
  /unsupported param(?:eter)?:? '?tools'?/i,
  /error rendering prompt with jinja template/i,
  /(?:tools|tool calls|tool calling|tool use|function calling|functions) (?:is|are) not (?:supported|enabled|available)/i,
  /(?:tools|tool calling|function calling) (?:not supported|unsupported)/i,
];

function upstreamText(e: APIError): string {
  if (typeof e.error === "string") return e.error;
  const body = e.error as { message?: unknown } | undefined;
  return typeof body?.message === "string" ? body.message : e.message;
}

/** The server's words when an error is its refusal of `tools`; null for any other error. */
export function toolsRefusalDetail(e: unknown): string | null {
  const cause = e instanceof LlmError ? e.cause : e;
  if (!(cause instanceof APIError) || cause.status === undefined) return null;
  if (![400, 422, 500, 501].includes(cause.status)) return null;
  const text = upstreamText(cause);
  return REFUSALS.some((words) => words.test(text)) ? text : null;
}

/** The error a refusal of tools becomes: a bad request, not retried as is, that says what alma does about it. */
export function toolsRefusedError(model: string, baseURL: string, detail: string, status: number | null, cause: unknown): LlmError {
  return new LlmError(
    "provider_bad_request",
    `model "${model}" at ${baseURL} takes no tools (function calling): alma will use its JSON tool convention with it instead (${detail})`,
    { status, toolsRefused: true, cause },
  );
}
