import type { ChatMessage } from "@alma/llm";
import type { MaybePromise, TokenCounter } from "./token-counter.js";

/** A model's own tokenizer: the tokens of a text, or just their number; sync or async. */
export type Tokenize = (text: string) => MaybePromise<number | readonly unknown[]>;

/** Tokens a chat template adds around each message and before the reply. */
export interface TemplateOverhead {
  perMessage: number;
  replyPriming: number;
}

export interface LocalTokenCounterOptions {
  /** the model's name, for the counter id "local:<model>" */
  model: string;
  tokenize: Tokenize;
  overhead: TemplateOverhead;
}

const toCount = (r: number | readonly unknown[]): number => (typeof r === "number" ? r : r.length);

/**
 * Counts with a local model's tokenizer (node-llama-cpp's `model.tokenize`) and its chat template's
 * overhead (see `measureTemplateOverhead`). A message counts overhead + content + name + each tool
 * call's id, name and arguments (+ overhead per call) + a tool result's call id.
 */
export function createLocalTokenCounter(options: LocalTokenCounterOptions): TokenCounter {
  const { tokenize, overhead } = options;
  if (!Number.isInteger(overhead.perMessage) || overhead.perMessage < 0 || !Number.isInteger(overhead.replyPriming) || overhead.replyPriming < 0) {
    throw new RangeError("createLocalTokenCounter: overhead.perMessage and overhead.replyPriming must be integers >= 0.");
  }
  const countText = (text: string): MaybePromise<number> => {
    if (text.length === 0) return 0;
    const r = tokenize(text);
    return r instanceof Promise ? r.then(toCount) : toCount(r);
  };
  const countMessage = (message: ChatMessage): MaybePromise<number> => {
    const parts: string[] = [message.content];
    let n = overhead.perMessage;
    if (message.role !== "tool" && message.name) parts.push(message.name);
    if (message.role === "assistant" && message.toolCalls) {
      for (const c of message.toolCalls) {
        parts.push(c.id, c.name, c.arguments);
        n += overhead.perMessage;
      }
    }
    if (message.role === "tool") parts.push(message.toolCallId);
    const counts = parts.map(countText);
    if (counts.every((c): c is number => typeof c === "number")) return counts.reduce((a, b) => a + b, n);
    return Promise.all(counts).then((cs) => cs.reduce((a, b) => a + b, n));
  };
  return { id: `local:${options.model}`, replyPriming: overhead.replyPriming, countText, countMessage };
}

/**
 * Measures a chat template's overhead by rendering small chats with the model's own
 * `countPromptTokens` (LocalChatModel exposes it) and subtracting the content tokens. It takes the
 * larger of the system and the user+assistant overhead per message and adds one token per message
 * for merges across the template's boundaries, so sums of per-message counts never under-count.
 */
export async function measureTemplateOverhead(countPromptTokens: (messages: ChatMessage[]) => Promise<number>, tokenize: Tokenize): Promise<TemplateOverhead> {
  const tok = async (t: string) => toCount(await tokenize(t));
  const [a, b, c] = ["Alpha.", "Bravo.", "Charlie."];
  const [ta, tb, tc] = [await tok(a), await tok(b), await tok(c)];
  const one = await countPromptTokens([{ role: "user", content: a }]);
  const withSystem = await countPromptTokens([
    { role: "system", content: b },
    { role: "user", content: a },
  ]);
  const three = await countPromptTokens([
    { role: "user", content: a },
    { role: "assistant", content: b },
    { role: "user", content: c },
  ]);
  const systemOverhead = withSystem - one - tb;
  const pairOverhead = three - one - tb - tc;
  const perMessage = Math.max(systemOverhead, pairOverhead, 0) + 1;
  const replyPriming = Math.max(one - ta, 0);
  return { perMessage, replyPriming };
}
