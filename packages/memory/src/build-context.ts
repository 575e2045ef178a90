import type { ChatMessage } from "@alma/llm";
import type { ContextStats } from "@alma/protocol";
import { shrinkBudget, type PromptBudget } from "./budget.js";
import { ContextOverflowError } from "./context-overflow-error.js";
import { MessageCountCache } from "./message-count-cache.js";
import type { MaybePromise, TokenCounter, ToolDefinition } from "./token-counter.js";

/** A conversation message with its stored id, so evicted messages can be reported by id. */
export type ContextMessage = ChatMessage & { id: string };

export interface BuildContextInput {
  system: string;
  /** facts the user pinned, oldest first; they stay in every request while they fit */
  pinnedFacts?: readonly string[];
  /** the running summary of messages[0 .. summarizedCount) */
  summary?: string | null;
  /** the conversation, oldest first; the last one is the newest user message */
  messages: readonly ContextMessage[];
  /**
   * how many leading messages the summary covers: they are never sent again (the summary stands
   * for them). Must fall on a turn boundary, as `evictedUpTo` always does.
   */
  summarizedCount?: number;
  budget: PromptBudget;
  /** retry attempt after the provider still refused for length: the budget shrinks by `shrinkBudget` */
  shrink?: number;
  counter: TokenCounter;
  /** keep one cache per process (or per counter) across calls: counts are then computed once per message */
  cache?: MessageCountCache;
  /** tags cache entries so `cache.clearConversation(id)` can drop them */
  conversationId?: string;
  tools?: readonly ToolDefinition[];
  /**
   * optional exact count of the final request with the model's own template (local models:
   * `ChatModel.countPromptTokens`); when it exceeds the budget, older turns are dropped until it fits
   */
  exactCount?: (messages: ChatMessage[]) => Promise<number>;
}

export interface BuildContextResult {
  /** [system, memory (pinned facts + summary, when any fit), ...newest whole turns, newest user message] */
  messages: ChatMessage[];
  stats: ContextStats;
  /** ids of the conversation messages left out (the oldest part after the summarized ones), oldest first */
  evicted: string[];
  /** index into `input.messages`: every message before it is summarized or evicted (a turn boundary) */
  evictedUpTo: number;
  /** the prompt's tokens with the counter (the same as stats.promptTokens) */
  tokens: number;
}

export const PINNED_FACTS_HEADING = "Pinned facts (the user asked you to remember these):";
export const SUMMARY_HEADING = "Summary of the earlier conversation:";

/**
 * The text of the second system message that carries pinned facts and the running summary. It is
 * a separate message so the main system prompt stays byte-identical across requests (provider
 * prompt caches key on the prefix) and so it can be counted and dropped on its own.
 */
export function renderMemoryText(facts: readonly string[], summary: string | null): string | null {
  const parts: string[] = [];
  if (facts.length > 0) parts.push(`${PINNED_FACTS_HEADING}\n${facts.map((f) => `- ${f}`).join("\n")}`);
  if (summary) parts.push(`${SUMMARY_HEADING}\n${summary}`);
  return parts.length > 0 ? parts.join("\n\n") : null;
}

const settle = async (n: MaybePromise<number>): Promise<number> => n;

/**
 * Builds the model request within the prompt budget. Priority: the system prompt (always), pinned
 * facts, the summary, the newest user message (always), then the newest whole turns that fit. A turn
 * is a user message and every message after it up to the next user message, so cutting at turn
 * starts never leaves an assistant message without its user message, nor a tool call without its
 * result. The walk goes newest to oldest once and stops at the first turn that does not fit; each
 * message's count comes from the cache, so a call costs the new messages' tokenization plus a
 * lookup per kept message, independent of the history's length.
 */
export async function buildContext(input: BuildContextInput): Promise<BuildContextResult> {
  const { messages, counter } = input;
  const n = messages.length;
  const newest = messages[n - 1];
  if (newest?.role !== "user") {
    throw new TypeError("buildContext: the conversation must end with the newest user message.");
  }
  const start = input.summarizedCount ?? 0;
  if (!Number.isInteger(start) || start < 0 || start > n - 1) {
    throw new RangeError(`buildContext: summarizedCount must be an integer from 0 to ${n - 1}, got ${start}.`);
  }
  const cache = input.cache ?? new MessageCountCache({ maxEntries: Math.max(64, n + 8) });
  const conv = input.conversationId ?? null;
  const count = (m: ChatMessage): MaybePromise<number> => cache.count(counter, m, conv);
  const budget = shrinkBudget(input.budget, input.shrink ?? 0);
  const B = budget.promptBudget;

  const systemMessage: ChatMessage = { role: "system", content: input.system };
  const systemTokens = await settle(count(systemMessage));
  const toolTokens = input.tools && input.tools.length > 0 ? await toolCount(counter, input.tools) : 0;
  const base = counter.replyPriming + toolTokens + systemTokens;
  if (base > B) {
    const content = await settle(counter.countText(input.system));
    const framing = base - content;
    throw new ContextOverflowError(
      "system_too_long",
      `The system prompt takes ${content} tokens, but at most ${Math.max(0, B - framing)} fit in the prompt budget of ${B} tokens (context window ${budget.contextWindow} - output budget ${budget.outputBudget} - safety margin ${budget.safetyMargin}). Shorten the system prompt, lower the output budget or raise the context window setting.`,
      { maxTokens: Math.max(0, B - framing), actualTokens: content },
    );
  }
  const userTokens = await settle(count(newest));
  if (base + userTokens > B) {
    const content = await settle(counter.countText(newest.content));
    const maxTokens = Math.max(0, B - base - (userTokens - content));
    throw new ContextOverflowError(
      "message_too_long",
      `Your message is ${content.toLocaleString("en-US")} tokens long, but with this model and settings it may be at most ${maxTokens.toLocaleString("en-US")} tokens. Shorten it or split it into several messages, or attach the text as a file.`,
      { maxTokens, actualTokens: content },
    );
  }
  let used = base + userTokens;

  // pinned facts, then the summary, in one second system message
  const facts = input.pinnedFacts ?? [];
  const summary = input.summary && input.summary.length > 0 ? input.summary : null;
  let memoryMessage: ChatMessage | null = null;
  let factsIn = 0;
  let summaryIn = false;
  const all = renderMemoryText(facts, summary);
  if (all !== null) {
    const fitsWith = async (text: string): Promise<number | null> => {
      const t = await settle(count({ role: "system", content: text }));
      return used + t <= B ? t : null;
    };
    let chosen: string[] = [...facts];
    let t = await fitsWith(all);
    let kept = summary;
    if (t === null) {
      chosen = [];
      for (const f of facts) {
        const text = renderMemoryText([...chosen, f], null);
        if (text !== null && (await fitsWith(text)) !== null) chosen.push(f);
      }
      const withSummary = summary ? renderMemoryText(chosen, summary) : null;
      kept = withSummary !== null && (await fitsWith(withSummary)) !== null ? summary : null;
      const text = renderMemoryText(chosen, kept);
      t = text === null ? null : await fitsWith(text);
    }
    const text = renderMemoryText(chosen, kept);
    if (text !== null && t !== null) {
      memoryMessage = { role: "system", content: text };
      used += t;
      factsIn = chosen.length;
      summaryIn = kept !== null;
    }
  }

  // newest whole turns, walking back once
  const end = n - 1;
  let cut = end;
  let groupTokens = 0;
  let groupHasTools = false;
  let repaired: Map<number, ChatMessage | null> | null = null;
  for (let i = end - 1; i >= start; i--) {
    const m = messages[i]!;
    const c = count(m);
    groupTokens += typeof c === "number" ? c : await c;
    if (m.role === "tool" || (m.role === "assistant" && m.toolCalls && m.toolCalls.length > 0)) groupHasTools = true;
    if (m.role !== "user" && i !== start) continue;
    if (groupHasTools) {
      const fix = repairToolPairs(messages, i, cut);
      if (fix) {
        groupTokens = 0;
        for (let j = i; j < cut; j++) {
          const r = fix.has(j) ? fix.get(j)! : messages[j]!;
          if (r) groupTokens += await settle(count(r));
        }
        if (used + groupTokens <= B) {
          repaired ??= new Map();
          for (const [idx, r] of fix) repaired.set(idx, r);
        }
      }
    }
    if (used + groupTokens > B) break;
    used += groupTokens;
    cut = i;
    groupTokens = 0;
    groupHasTools = false;
  }

  const assemble = (from: number): ChatMessage[] => {
    const out: ChatMessage[] = memoryMessage ? [systemMessage, memoryMessage] : [systemMessage];
    for (let j = from; j < end; j++) {
      const r = repaired?.has(j) ? repaired.get(j)! : messages[j]!;
      if (r) out.push(r);
    }
    out.push(newest);
    return out;
  };
  let out = assemble(cut);

  if (input.exactCount) {
    let exact = await input.exactCount(out);
    while (exact > B && cut < end) {
      let next = cut + 1;
      while (next < end && messages[next]!.role !== "user") next++;
      cut = next;
      out = assemble(cut);
      exact = await input.exactCount(out);
    }
    if (exact > B) {
      throw new ContextOverflowError(
        "message_too_long",
        `The request takes ${exact} tokens with the model's template, over the prompt budget of ${B}. Shorten your message or split it into several messages.`,
        { maxTokens: B, actualTokens: exact },
      );
    }
    used = exact;
  }

  const evicted: string[] = new Array(cut - start);
  for (let j = start; j < cut; j++) evicted[j - start] = messages[j]!.id;
  const messagesIn = out.length - (memoryMessage ? 2 : 1);
  const stats: ContextStats = {
    contextWindow: budget.contextWindow,
    promptBudget: B,
    outputBudget: budget.outputBudget,
    promptTokens: used,
    messagesIn,
    messagesTotal: n,
    messagesTrimmed: cut - start,
    messagesSummarized: start,
    pinnedFacts: factsIn,
    hasSummary: summaryIn,
    fill: used / budget.contextWindow,
    tokenizer: counter.id,
    retrimmed: (input.shrink ?? 0) > 0,
  };
  return { messages: out, stats, evicted, evictedUpTo: cut, tokens: used };
}

async function toolCount(counter: TokenCounter, tools: readonly ToolDefinition[]): Promise<number> {
  if (!counter.countTools) throw new Error(`The token counter "${counter.id}" cannot count tool definitions.`);
  return counter.countTools(tools);
}

/**
 * Keeps tool calls and results paired inside one turn [from, to): a result whose call is missing is
 * dropped, and calls without a result are removed from their assistant message (the message goes
 * too when nothing is left). Such turns come from runs interrupted between a call and its result.
 * Returns the replacements (null = drop) or null when the turn is whole.
 */
export function repairToolPairs(messages: readonly ChatMessage[], from: number, to: number): Map<number, ChatMessage | null> | null {
  const calls = new Set<string>();
  const results = new Set<string>();
  for (let j = from; j < to; j++) {
    const m = messages[j]!;
    if (m.role === "assistant" && m.toolCalls) for (const c of m.toolCalls) calls.add(c.id);
    else if (m.role === "tool") results.add(m.toolCallId);
  }
  let fix: Map<number, ChatMessage | null> | null = null;
  for (let j = from; j < to; j++) {
    const m = messages[j]!;
    if (m.role === "tool" && !calls.has(m.toolCallId)) {
      fix ??= new Map();
      fix.set(j, null);
    } else if (m.role === "assistant" && m.toolCalls && m.toolCalls.some((c) => !results.has(c.id))) {
      const answered = m.toolCalls.filter((c) => results.has(c.id));
      const { toolCalls: _dropped, ...rest } = m;
      const replacement: ChatMessage | null = answered.length > 0 ? { ...rest, toolCalls: answered } : rest.content.length > 0 ? rest : null;
      fix ??= new Map();
      fix.set(j, replacement);
    }
  }
  return fix;
}
