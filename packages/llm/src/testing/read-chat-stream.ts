import { expect } from "vitest";
import type { ToolCall } from "../chat-message.js";
import type { StreamChunk } from "../chat-model.js";
import { LlmError } from "../llm-error.js";

/** A stream read to its end: the deltas, their text, the tool calls, and the done chunk (undefined when none came). */
export async function readChatStream(iterable: AsyncIterable<StreamChunk>) {
  const deltas: string[] = [];
  const toolCalls: ToolCall[] = [];
  let done: Extract<StreamChunk, { type: "done" }> | undefined;
  for await (const chunk of iterable) {
    if (chunk.type === "delta") deltas.push(chunk.text);
    else if (chunk.type === "tool_call") toolCalls.push(chunk.call);
    else done = chunk;
  }
  return { deltas, text: deltas.join(""), toolCalls, done };
}

/** The LlmError a stream must end with; the deltas before it are pushed onto `deltas`. */
export async function streamFailure(iterable: AsyncIterable<StreamChunk>, deltas: string[] = []): Promise<LlmError> {
  try {
    for await (const chunk of iterable) if (chunk.type === "delta") deltas.push(chunk.text);
  } catch (e) {
    expect(e).toBeInstanceOf(LlmError);
    return e as LlmError;
  }
  throw new Error("expected the stream to fail");
}
