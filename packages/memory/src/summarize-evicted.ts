import type { ChatMessage, ChatModel } from "@alma/llm";
import { countRequest, type TokenCounter } from "./token-counter.js";
import { truncateToTokens } from "./truncate-to-tokens.js";

export interface SummarizeEvictedInput {
  model: ChatModel;
  counter: TokenCounter;
  previousSummary: string | null;
  /** the messages leaving the window, oldest first */
  evicted: readonly ChatMessage[];
  /** the summary's bound in tokens (also the model's maxOutputTokens) */
  maxSummaryTokens: number;
  /** the prompt budget of one summarizing request; longer evictions are folded in several steps */
  maxInputTokens: number;
  signal?: AbortSignal;
}

export const SUMMARY_SYSTEM_PROMPT = [
  "You maintain the running summary of a conversation between a user and an assistant.",
  "Merge the previous summary with the new messages into one updated summary.",
  "Keep every fact the user stated about themselves or asked to remember (names, numbers, code words, preferences, decisions), verbatim where short.",
  "Keep open questions and what the assistant promised. Drop greetings and filler.",
  "Write plain sentences, no preamble, as short as possible.",
].join(" ");

function transcriptLine(m: ChatMessage): string {
  if (m.role === "tool") return `Tool result (${m.toolCallId}): ${m.content}`;
  if (m.role === "assistant" && m.toolCalls && m.toolCalls.length > 0) {
    const calls = m.toolCalls.map((c) => `${c.name}(${c.arguments})`).join(", ");
    return `Assistant${m.content ? `: ${m.content}` : ""} [called ${calls}]`;
  }
  const who = m.role === "user" ? "User" : m.role === "assistant" ? "Assistant" : "System";
  return `${who}: ${m.content}`;
}

function request(previous: string | null, lines: readonly string[]): ChatMessage[] {
  const user = `Previous summary:\n${previous ?? "(none)"}\n\nNew messages:\n${lines.join("\n")}\n\nUpdated summary:`;
  return [
    { role: "system", content: SUMMARY_SYSTEM_PROMPT },
    { role: "user", content: user },
  ];
}

async function ask(input: SummarizeEvictedInput, previous: string | null, lines: readonly string[]): Promise<string> {
  let text = "";
  for await (const chunk of input.model.stream(request(previous, lines), {
    maxOutputTokens: input.maxSummaryTokens,
    temperature: 0,
    signal: input.signal,
  })) {
    if (chunk.type === "delta") text += chunk.text;
  }
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new Error("The model returned an empty summary.");
  return truncateToTokens(input.counter, trimmed, input.maxSummaryTokens);
}

/**
 * Folds evicted messages into the running summary with the model. Messages are packed into
 * requests that fit `maxInputTokens` (a single message longer than that is cut), so any amount of
 * history can be summarized; the result is bounded by `maxSummaryTokens` (the model is asked for at
 * most that many tokens, and the text is cut to the bound with the counter if it still runs over).
 */
export async function summarizeEvicted(input: SummarizeEvictedInput): Promise<string> {
  if (!Number.isInteger(input.maxSummaryTokens) || input.maxSummaryTokens < 1) {
    throw new RangeError("summarizeEvicted: maxSummaryTokens must be an integer >= 1.");
  }
  if (input.evicted.length === 0) return input.previousSummary ?? "";
  // the room below assumes the previous summary is within the bound; one stored under a larger bound
  // would overflow every request, so the summary could never advance
  let summary = input.previousSummary === null ? null : await truncateToTokens(input.counter, input.previousSummary, input.maxSummaryTokens);
  // room for the previous summary (at most maxSummaryTokens) and the instructions
  const fixed = (await countRequest(input.counter, request("", []))) + input.maxSummaryTokens;
  const room = input.maxInputTokens - fixed;
  if (room < 32) {
    throw new RangeError(
      `summarizeEvicted: maxInputTokens (${input.maxInputTokens}) leaves no room for messages next to the instructions and a ${input.maxSummaryTokens}-token summary.`,
    );
  }
  let batch: string[] = [];
  let batchTokens = 0;
  for (const m of input.evicted) {
    let line = transcriptLine(m);
    // +1 for the newline that joins lines
    let t = (await input.counter.countText(line)) + 1;
    if (t > room) {
      line = await truncateToTokens(input.counter, line, room - 2);
      t = (await input.counter.countText(line)) + 1;
    }
    if (batchTokens + t > room && batch.length > 0) {
      input.signal?.throwIfAborted();
      summary = await ask(input, summary, batch);
      batch = [];
      batchTokens = 0;
    }
    batch.push(line);
    batchTokens += t;
  }
  if (batch.length > 0) summary = await ask(input, summary, batch);
  return summary ?? "";
}
