import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { FakeChatRequest, FakeReply } from "./fake-handler.js";
import type { FakeRequestRecord } from "./fake-request-record.js";
import { planToolCalls, type ToolCallDelta } from "./plan-tool-calls.js";
import { sendJson, writeText } from "./send-fake-response.js";
import { splitIntoTokens } from "./split-into-tokens.js";

export interface ChatReplyContext {
  chat: FakeChatRequest;
  reply: FakeReply;
  /** most answer tokens the flavour's window leaves, null when it sets no cap */
  generationBudget: number | null;
  /** prompt tokens the model evaluated (fewer than the request's after a silent cut) */
  evaluatedPromptTokens: number;
  /** how the flavour streams tool calls */
  toolCallStreaming: "fragments" | "whole";
  /** a new call id, the flavour's way */
  toolCallId: () => string;
  /** the server's pace for replies that do not set one */
  defaultTokensPerSecond: number | undefined;
  /** aborts when the connection closes */
  signal: AbortSignal;
  /** a token was sent: waits on the record check again */
  changed: () => void;
}

/**
 * Sends one chat completion the way OpenAI does, whole or as SSE chunks, paced and cut at max_tokens and the
 * window, with the reply's tool calls, its programmed faults (cuts, stalls, hangs) and the usage figures.
 */
export async function writeChatReply(res: ServerResponse, record: FakeRequestRecord, ctx: ChatReplyContext): Promise<void> {
  const { chat, reply, signal } = ctx;
  const limit = lowest([chat.maxTokens, ctx.generationBudget]);
  const text = replyTokens(reply, limit);
  // calls come after the text and share what max_tokens leaves of the answer
  const plan = planToolCalls(text.cut ? [] : (reply.toolCalls ?? []), {
    style: ctx.toolCallStreaming,
    makeId: ctx.toolCallId,
    budget: limit === null ? null : limit - text.tokens.length,
  });
  const { tokens } = text;
  const finishReason = finishReasonOf(reply, text.cut || plan.cut, plan.calls.length > 0);
  const tps = reply.tokensPerSecond ?? ctx.defaultTokensPerSecond ?? 0;
  const tokenDelay = reply.tokenDelayMs ?? (tps > 0 ? 1000 / tps : 0);
  const answerTokens = tokens.length + plan.tokens;
  const usage = {
    prompt_tokens: reply.usage !== "omit" ? (reply.usage?.promptTokens ?? ctx.evaluatedPromptTokens) : ctx.evaluatedPromptTokens,
    completion_tokens: reply.usage !== "omit" ? (reply.usage?.completionTokens ?? answerTokens) : answerTokens,
  };
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);

  if (!chat.stream) {
    if (reply.hang === "after-headers") {
      record.status = 200;
      record.firstByteAt = Date.now();
      res.writeHead(200, { "content-type": "application/json" });
      res.flushHeaders();
      return;
    }
    await sleep((reply.firstTokenDelayMs ?? 0) + tokenDelay * answerTokens, signal);
    if (signal.aborted) return;
    const cutAt = reply.cutAfterTokens ?? reply.stallAfterTokens;
    if (cutAt !== undefined) {
      record.status = 200;
      res.writeHead(200, { "content-type": "application/json" });
      await writeText(res, record, `{"id":"${id}","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":`);
      if (reply.cutAfterTokens !== undefined) {
        record.serverCut = true;
        res.socket?.destroy();
      }
      return;
    }
    record.tokensSent = answerTokens;
    record.toolCallsSent = plan.calls.map((c) => ({ requestIndex: record.index, ...c }));
    const content = tokens.join("");
    const message = {
      role: "assistant",
      content: content === "" && plan.calls.length > 0 ? null : content,
      refusal: null,
      ...(plan.calls.length > 0
        ? {
            tool_calls: plan.calls.map((c) => ({
              ...(c.id !== null ? { id: c.id } : {}),
              type: "function",
              function: { name: c.name, arguments: c.arguments },
            })),
          }
        : {}),
    };
    return sendJson(res, record, 200, {
      id,
      object: "chat.completion",
      created,
      model: chat.model,
      system_fingerprint: "fp_fake",
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    });
  }

  record.status = 200;
  record.firstByteAt = Date.now();
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-request-id": `req_${record.index}`,
  });
  res.flushHeaders();
  if (reply.hang === "after-headers") return;

  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({
      id,
      object: "chat.completion.chunk",
      created,
      model: chat.model,
      system_fingerprint: "fp_fake",
      choices,
      ...(chat.includeUsage ? { usage: null } : {}),
      ...extra,
    })}\n\n`;

  // text tokens, then the calls' pieces: a cut or a stall counts both
  const pieces: Array<{ content: string } | { tool_calls: ToolCallDelta[] }> = [
    ...tokens.map((token) => ({ content: token })),
    ...plan.deltas.map((delta) => ({ tool_calls: [delta] })),
  ];
  await writeText(res, record, chunk([{ index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null }]));
  await sleep(reply.firstTokenDelayMs ?? 0, signal);
  for (const [i, delta] of pieces.entries()) {
    if (reply.cutAfterTokens !== undefined && i >= reply.cutAfterTokens) {
      record.serverCut = true;
      res.socket?.destroy();
      return;
    }
    if (reply.stallAfterTokens !== undefined && i >= reply.stallAfterTokens) return;
    await sleep(tokenDelay, signal);
    if (signal.aborted || res.destroyed) return;
    await writeText(res, record, chunk([{ index: 0, delta, logprobs: null, finish_reason: null }]));
    if ("tool_calls" in delta) noteSent(record, delta.tool_calls[0]!);
    record.tokensSent = i + 1;
    ctx.changed();
  }
  // a cut or stall past the last token still withholds the finish chunk
  if (reply.cutAfterTokens !== undefined) {
    record.serverCut = true;
    res.socket?.destroy();
    return;
  }
  if (reply.stallAfterTokens !== undefined) return;
  if (signal.aborted || res.destroyed) return;
  await writeText(res, record, chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]));
  if (chat.includeUsage && reply.usage !== "omit") {
    await writeText(
      res,
      record,
      chunk([], {
        usage: {
          ...usage,
          total_tokens: usage.prompt_tokens + usage.completion_tokens,
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
        },
      }),
    );
  }
  if (res.destroyed) return;
  res.end("data: [DONE]\n\n");
}

/** keeps the record's view of the calls in step with what was written */
function noteSent(record: FakeRequestRecord, delta: ToolCallDelta): void {
  if (delta.function.name !== undefined) {
    record.toolCallsSent.push({ requestIndex: record.index, id: delta.id ?? null, name: delta.function.name, arguments: delta.function.arguments });
    return;
  }
  const call = record.toolCallsSent.at(-1);
  if (call) call.arguments += delta.function.arguments;
}

function finishReasonOf(reply: FakeReply, cut: boolean, calls: boolean): NonNullable<FakeReply["finishReason"]> {
  if (reply.finishReason) return reply.finishReason;
  if (cut) return "length";
  return calls ? "tool_calls" : "stop";
}

function lowest(limits: Array<number | null>): number | null {
  const set = limits.filter((n): n is number => n !== null);
  return set.length > 0 ? Math.min(...set) : null;
}

/** The answer's tokens, cut at the limit. */
function replyTokens(reply: FakeReply, limit: number | null): { tokens: string[]; cut: boolean } {
  const tokens = reply.tokens ?? splitIntoTokens(reply.text ?? "");
  if (limit !== null && tokens.length > limit) return { tokens: tokens.slice(0, limit), cut: true };
  return { tokens, cut: false };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
