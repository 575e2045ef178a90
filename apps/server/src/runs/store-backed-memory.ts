import type { FastifyBaseLogger } from "fastify";
import type { ChatModel } from "@alma/llm";
import type { BuildContext } from "@alma/agent";
import {
  MessageCountCache,
  SummaryScheduler,
  buildContext,
  computeBudget,
  createLocalTokenCounter,
  measureTemplateOverhead,
  selectTokenCounter,
  summarizeEvicted,
  type ContextMessage,
  type KeyedChatMessage,
  type TokenCounter,
  type Tokenize,
} from "@alma/memory";
import type { ConversationStore } from "@alma/store";
import type { ConversationMemory } from "./run-services.js";

export interface StoreBackedMemoryOptions {
  store: ConversationStore;
  model: ChatModel;
  /** ALMA_CONTEXT_WINDOW: overrides the model's own window */
  contextWindow: number | null;
  log: FastifyBaseLogger;
  /** a ready-made counter for the local model (wins over `localTokenize`) */
  localCounter?: TokenCounter;
  /**
   * the local model's own tokenizer (LocalChatModel.tokenize): with the model's `countPromptTokens` it builds the
   * exact local counter on the first run after the model is ready
   */
  localTokenize?: Tokenize;
  maxSummaryTokens?: number;
}

/**
 * The memory module over the store: each run's request is trimmed from the stored conversation
 * (pinned facts and the running summary first), and after a run the messages that no longer fit are
 * folded into the summary in the background.
 */
export class StoreBackedMemory implements ConversationMemory {
  /** the counter for new runs: the selected one, replaced once by the local model's own when it can be built */
  private counter: TokenCounter;
  private localCounterBuild: Promise<TokenCounter | null> | null = null;
  private readonly cache = new MessageCountCache();
  private readonly scheduler: SummaryScheduler;
  /** per conversation: how far the last request's trimming evicted, for the summary after the run */
  private readonly evictedUpTo = new Map<string, number>();

  constructor(private readonly o: StoreBackedMemoryOptions) {
    this.counter = selectTokenCounter({
      provider: o.model.provider,
      model: o.model.model,
      ...(o.localCounter ? { localCounter: o.localCounter } : {}),
    });
    this.scheduler = new SummaryScheduler({
      summarize: ({ previousSummary, evicted, signal }) => {
        // a summary may take an eighth of the window, so it never crowds out the conversation itself
        const maxSummaryTokens = o.maxSummaryTokens ?? Math.max(32, Math.min(400, Math.floor((this.window() ?? 8192) / 8)));
        const budget = computeBudget({ contextWindow: this.window(), outputBudget: maxSummaryTokens });
        return summarizeEvicted({
          model: o.model,
          counter: this.counter,
          previousSummary,
          evicted,
          maxSummaryTokens,
          maxInputTokens: budget.promptBudget,
          signal,
        });
      },
      load: (conversationId) => {
        const conversation = o.store.getConversation(conversationId);
        if (!conversation) return null;
        const messages = this.history(conversationId, null);
        return { summary: conversation.summary, summarizedCount: conversation.summarizedCount, messages };
      },
      save: (conversationId, summary, summarizedCount) => o.store.updateSummary(conversationId, summary, summarizedCount),
      onError: (conversationId, err, attempt) => o.log.warn({ err, conversationId, attempt }, "conversation summary failed; will retry"),
    });
  }

  contextFor(args: { conversationId: string; assistantMessageId: string }): BuildContext {
    return async ({ system, outputBudget, shrink }) => {
      const { store, model } = this.o;
      const conversation = store.getConversation(args.conversationId);
      if (!conversation) throw new Error(`Conversation ${args.conversationId} was deleted during the run.`);
      const counter = await this.counterForRun();
      const messages = this.history(args.conversationId, args.assistantMessageId);
      let summary = conversation.summary;
      let summarizedCount = conversation.summarizedCount;
      // An edit or regenerate can cut the conversation below what the summary covers: it no longer applies.
      if (summarizedCount > messages.length - 1) {
        summary = null;
        summarizedCount = 0;
        store.updateSummary(conversation.id, null, 0);
      }
      const result = await buildContext({
        system,
        pinnedFacts: store.listPinnedFacts(conversation.id).map((f) => f.text),
        summary,
        summarizedCount,
        messages,
        budget: computeBudget({ contextWindow: this.window(), outputBudget }),
        ...(shrink !== undefined ? { shrink } : {}),
        counter,
        // keyed by counter id, so counts from the estimate never stand in for the local tokenizer's
        cache: this.cache,
        conversationId: conversation.id,
        ...(model.countPromptTokens ? { exactCount: (m) => model.countPromptTokens!(m) } : {}),
      });
      this.evictedUpTo.set(conversation.id, result.evictedUpTo);
      return { messages: result.messages, stats: result.stats };
    };
  }

  afterRun(conversationId: string): void {
    const upTo = this.evictedUpTo.get(conversationId) ?? 0;
    this.evictedUpTo.delete(conversationId);
    if (upTo > 0) this.scheduler.schedule(conversationId, upTo);
  }

  /** resolves when background summaries are done (tests, shutdown) */
  idle(conversationId?: string): Promise<void> {
    return this.scheduler.idle(conversationId);
  }

  async close(): Promise<void> {
    this.scheduler.close();
  }

  /** the current counter, after building the local model's own once that model is ready */
  private async counterForRun(): Promise<TokenCounter> {
    const { model, localTokenize, localCounter } = this.o;
    if (localCounter || !localTokenize || !model.countPromptTokens || model.provider !== "local" || !model.status().ready) return this.counter;
    const countPromptTokens = model.countPromptTokens.bind(model);
    this.localCounterBuild ??= measureTemplateOverhead(countPromptTokens, localTokenize).then(
      (overhead) => {
        const counter = createLocalTokenCounter({ model: model.model, tokenize: localTokenize, overhead });
        this.counter = counter;
        this.o.log.info({ tokenizer: counter.id, overhead }, "token counts now use the local model's own tokenizer");
        return counter;
      },
      (err: unknown) => {
        // keep the current counter (exactCount still checks each request); try again on a later run
        this.localCounterBuild = null;
        this.o.log.warn({ err }, "could not measure the local model's chat template; token counts stay estimated for now");
        return null;
      },
    );
    return (await this.localCounterBuild) ?? this.counter;
  }

  private window(): number | null {
    return this.o.contextWindow ?? this.o.model.contextWindow();
  }

  /**
   * The stored conversation as chat messages; answers with no text (failed before a token) carry nothing and are left
   * out. Reads only the columns a request needs, and keys each message for the count cache by id, status and length:
   * the objects are new on every run, and hashing every long message again was a visible share of the time to first token.
   */
  private history(conversationId: string, exclude: string | null): ContextMessage[] {
    const out: ContextMessage[] = [];
    for (const m of this.o.store.listContextMessages(conversationId)) {
      if (m.id === exclude || m.role === "system") continue;
      if (m.role === "assistant" && m.content.length === 0) continue;
      const message: ContextMessage & KeyedChatMessage = {
        id: m.id,
        role: m.role,
        content: m.content,
        countKey: `${m.id}:${m.status}:${m.content.length}`,
      };
      out.push(message);
    }
    return out;
  }
}
