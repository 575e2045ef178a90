import { errorText, isLlmError, LlmError, type ChatMessage, type ChatModel, type ModelTool, type ToolCall } from "@alma/llm";
import { estimatePromptTokens } from "./estimate-prompt-tokens.js";
import { countOnePerDelta, type TokenCounter } from "./token-counter.js";

export interface StreamGenerationOptions {
  maxOutputTokens: number;
  temperature?: number;
  json?: boolean;
  /** functions the model may call (only for a model whose `supportsTools()` is true) */
  tools?: ModelTool[];
  signal?: AbortSignal;
  /** called with each delta as it arrives */
  onDelta?: (text: string) => void;
  countTokens?: TokenCounter;
  /** stop cleanly (finish "length") once this many output tokens were counted; defaults to maxOutputTokens */
  budget?: number;
  /**
   * the prompt's size when the provider's usage never arrives (a stop at the budget, an abort or a failure after
   * the first token); defaults to the model's own tokenizer, else an estimate
   */
  countPrompt?: (messages: ChatMessage[]) => number | Promise<number>;
}

/** epoch ms with sub-millisecond resolution, comparable with Date.now() */
export const nowMs = (): number => performance.timeOrigin + performance.now();

export type GenerationFinish = "stop" | "length" | "content_filter" | "tool_calls" | "aborted" | "error";

export interface GenerationOutcome {
  text: string;
  /** the deltas as streamed, so a cached answer can be replayed in the same chunks */
  deltas: string[];
  finishReason: GenerationFinish;
  /** provider-reported when available, else the running count */
  completionTokens: number;
  /** provider-reported when available; else counted once the model produced output, since the prompt was consumed */
  promptTokens: number;
  reported: boolean;
  /** set when finishReason is "error" */
  error: LlmError | null;
  /** epoch ms (see nowMs): the request went out, its first and last text arrived */
  startedAt: number;
  firstTokenAt: number | null;
  lastTokenAt: number | null;
  /** the cap sent as max_tokens */
  maxOutputTokens: number;
  /** the model that answered, when the provider named it */
  responseModel: string | null;
  /** the calls the model made through its function calling (finish "tool_calls"); empty otherwise */
  toolCalls: ToolCall[];
}

/**
 * Streams one model request, keeping an exact running count of the output and stopping at the budget.
 * Never throws: provider failures come back as finishReason "error" with the partial text kept.
 */
export async function streamGeneration(model: ChatModel, messages: ChatMessage[], opts: StreamGenerationOptions): Promise<GenerationOutcome> {
  const count = opts.countTokens ?? countOnePerDelta;
  const budget = Math.min(opts.budget ?? opts.maxOutputTokens, opts.maxOutputTokens);
  const deltas: string[] = [];
  let counted = 0;
  let finishReason: GenerationFinish = "stop";
  let usage: { promptTokens: number; completionTokens: number; reported: boolean } | null = null;
  let error: LlmError | null = null;
  let responseModel: string | null = null;
  const toolCalls: ToolCall[] = [];
  const startedAt = nowMs();
  let firstTokenAt: number | null = null;
  let lastTokenAt: number | null = null;
  try {
    for await (const chunk of model.stream(messages, {
      maxOutputTokens: opts.maxOutputTokens,
      temperature: opts.temperature,
      json: opts.json,
      ...(opts.tools?.length ? { tools: opts.tools } : {}),
      signal: opts.signal,
    })) {
      if (chunk.type === "delta") {
        if (!chunk.text) continue;
        lastTokenAt = nowMs();
        firstTokenAt ??= lastTokenAt;
        deltas.push(chunk.text);
        counted += count(chunk.text);
        opts.onDelta?.(chunk.text);
        if (counted >= budget) {
          // leaving the loop closes the upstream stream: the clean stop at the budget
          finishReason = "length";
          break;
        }
      } else if (chunk.type === "tool_call") {
        toolCalls.push(chunk.call);
      } else {
        finishReason = chunk.finishReason;
        usage = chunk.usage;
        responseModel = chunk.model ?? null;
      }
    }
  } catch (e) {
    if (opts.signal?.aborted || (isLlmError(e) && e.code === "aborted")) finishReason = "aborted";
    else {
      finishReason = "error";
      error = isLlmError(e)
        ? e
        : new LlmError("stream_interrupted", `the model stream failed: ${errorText(e)}`, {
            afterFirstToken: deltas.length > 0,
            cause: e,
          });
    }
  }
  let promptTokens = usage?.promptTokens ?? 0;
  if (!usage && deltas.length > 0) promptTokens = await countPromptSafely(model, messages, opts.countPrompt);
  return {
    text: deltas.join(""),
    deltas,
    finishReason,
    completionTokens: usage?.reported ? usage.completionTokens : counted,
    promptTokens,
    reported: usage?.reported ?? false,
    error,
    startedAt,
    firstTokenAt,
    lastTokenAt,
    maxOutputTokens: opts.maxOutputTokens,
    responseModel,
    toolCalls,
  };
}

/** Never throws: a failing tokenizer falls back to the estimate, so the outcome still arrives. */
async function countPromptSafely(model: ChatModel, messages: ChatMessage[], countPrompt: StreamGenerationOptions["countPrompt"]): Promise<number> {
  try {
    if (countPrompt) return await countPrompt(messages);
    if (model.countPromptTokens) return await model.countPromptTokens(messages);
  } catch {
    // the estimate below is the fallback
  }
  return estimatePromptTokens(messages);
}
