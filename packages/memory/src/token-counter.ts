import type { ChatMessage } from "@alma/llm";

/** A tool definition as it is sent to a model, for counting the tokens tool schemas take. */
export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON schema of the arguments */
  parameters?: Record<string, unknown>;
}

/** A number now, or later when the tokenizer is asynchronous (a local model's tokenizer may be). */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Counts tokens the way one model family sees a chat request. The count of a request is
 * `sum(countMessage(m)) + replyPriming (+ countTools(tools))`: chat formats tokenize each message
 * on its own, so the sum is exact for tokenizers that render messages separately.
 */
export interface TokenCounter {
  /** "o200k_base", "cl100k_base", "local:<model>", "estimate:o200k_base" */
  readonly id: string;
  countText(text: string): MaybePromise<number>;
  /** content + per-message framing + name + tool calls */
  countMessage(message: ChatMessage): MaybePromise<number>;
  /** tokens the provider adds to prime the reply (e.g. `<|im_start|>assistant<|im_sep|>`) */
  readonly replyPriming: number;
  countTools?(defs: readonly ToolDefinition[]): MaybePromise<number>;
}

/** Counts a whole request: the sum of the messages, the reply priming and the tool definitions. */
export async function countRequest(counter: TokenCounter, messages: readonly ChatMessage[], tools?: readonly ToolDefinition[]): Promise<number> {
  let total = counter.replyPriming;
  for (const m of messages) total += await counter.countMessage(m);
  if (tools && tools.length > 0) {
    if (!counter.countTools) throw new Error(`The token counter "${counter.id}" cannot count tool definitions.`);
    total += await counter.countTools(tools);
  }
  return total;
}
