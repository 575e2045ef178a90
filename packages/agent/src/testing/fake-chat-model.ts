import { abortableSleep, LlmError, type ChatMessage, type ChatModel, type GenerateOptions, type StreamChunk } from "@alma/llm";
import type { ModelStatus } from "@alma/protocol";

/** What the fake answers to one request. */
export interface FakeReply {
  deltas: string[];
  /** pause before each delta */
  delayMs?: number;
  finishReason?: "stop" | "length" | "content_filter";
  /** thrown before any delta */
  error?: LlmError;
  /** thrown after this many deltas */
  failAfter?: { deltas: number; error: LlmError };
}

export interface FakeCall {
  messages: ChatMessage[];
  options: GenerateOptions;
}

/** An in-test ChatModel: a responder decides each reply from the request; abort and usage behave like a provider. */
export class FakeChatModel implements ChatModel {
  readonly provider = "fake";
  readonly model: string;
  readonly calls: FakeCall[] = [];

  constructor(
    private readonly respond: (messages: ChatMessage[], options: GenerateOptions, callIndex: number) => FakeReply,
    model = "fake-1",
  ) {
    this.model = model;
  }

  status(): ModelStatus {
    return { ready: true, provider: this.provider, model: this.model, contextWindow: 8192, state: "ready", download: null, problem: null, setup: [] };
  }
  onStatus(): () => void {
    return () => {};
  }
  contextWindow(): number {
    return 8192;
  }
  async close(): Promise<void> {}

  async *stream(messages: ChatMessage[], options: GenerateOptions): AsyncIterable<StreamChunk> {
    const callIndex = this.calls.length;
    this.calls.push({ messages, options });
    const reply = this.respond(messages, options, callIndex);
    const signal = options.signal;
    const aborted = () => new LlmError("aborted", "the request was aborted", { afterFirstToken: sent > 0 });
    let sent = 0;
    if (reply.error) throw reply.error;
    for (const d of reply.deltas) {
      if (reply.failAfter && sent >= reply.failAfter.deltas) throw reply.failAfter.error;
      if (reply.delayMs) await abortableSleep(reply.delayMs, signal);
      if (signal?.aborted) throw aborted();
      if (sent >= options.maxOutputTokens) {
        yield { type: "done", finishReason: "length", usage: { promptTokens: 10, completionTokens: sent, reported: true } };
        return;
      }
      sent++;
      yield { type: "delta", text: d };
    }
    if (reply.failAfter && sent >= reply.failAfter.deltas) throw reply.failAfter.error;
    yield { type: "done", finishReason: reply.finishReason ?? "stop", usage: { promptTokens: 10, completionTokens: sent, reported: true } };
  }
}

/** The last user message's text: what responders usually switch on. */
export function lastUserText(messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === "user") return messages[i]!.content;
  return "";
}
