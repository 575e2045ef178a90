import type { FakeHttpError } from "./fake-handler.js";
import { openAIChatRequestSchema, type OpenAIChatRequest } from "./openai-chat-request-schema.js";

/** `json`: what the record keeps (the raw text when it was not JSON); `error`: the 400 OpenAI answers instead. */
export type ParsedChatBody = { json: unknown; body: OpenAIChatRequest } | { json: unknown; error: FakeHttpError };

/** Reads a chat completions body the way OpenAI does, with its words for what it cannot read. */
export function parseChatBody(raw: string): ParsedChatBody {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return {
      json: raw,
      error: { status: 400, message: "We could not parse the JSON body of your request. The OpenAI API expects a JSON payload." },
    };
  }
  const parsed = openAIChatRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue ? issue.path.join(".") : null;
    return { json, error: { status: 400, message: `Invalid request: ${param ?? "body"}: ${issue?.message ?? "invalid"}`, param, code: null } };
  }
  const body = parsed.data;
  if (body.tool_choice != null && (body.tools ?? []).length === 0) {
    return {
      json,
      error: {
        status: 400,
        message: "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
        param: "tool_choice",
        code: null,
      },
    };
  }
  return { json, body };
}
