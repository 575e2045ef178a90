import type { FastifyBaseLogger } from "fastify";
import type { ChatModel } from "@alma/llm";
import type { BuildContext, RequestMeasure } from "@alma/agent";
import type { ContextWindowInfo } from "@alma/protocol";
import {
  MessageCountCache,
  SummaryScheduler,
  DEFAULT_CONTEXT_WINDOW,
  buildContext,
  computeBudget,
  countRequest,
  truncateToTokens,
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
        const window = this.windowInfo().tokens;
        const maxSummaryTokens = o.maxSummaryTokens ?? Math.max(32, Math.min(400, Math.floor(window / 8)));
        const budget = computeBudget({ contextWindow: window, outputBudget: maxSummaryTokens });
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
      load: async (conversationId) => {
        const conversation = await o.store.getConversation(conversationId);
        if (!conversation) return null;
        const messages = await this.history(conversationId, null);
        return { summary: conversation.summary, summarizedCount: conversation.summarizedCount, messages };
      },
      save: (conversationId, summary, summarizedCount) => o.store.updateSummary(conversationId, summary, summarizedCount),
      onError: (conversationId, err, attempt) => o.log.warn({ err, conversationId, attempt }, "conversation summary failed; will retry"),
    });
  }

  contextFor(args: { conversationId: string; assistantMessageId: string }): BuildContext {
    return async ({ system, outputBudget, shrink, contextWindow }) => {
      const { store, model } = this.o;
      const conversation = await store.getConversation(args.conversationId);
      if (!conversation) throw new Error(`Conversation ${args.conversationId} was deleted during the run.`);
      const counter = await this.counterForRun();
      const [messages, pinnedFacts] = await Promise.all([this.history(args.conversationId, args.assistantMessageId), store.listPinnedFacts(conversation.id)]);
      let summary = conversation.summary;
      let summarizedCount = conversation.summarizedCount;
      // An edit or regenerate can cut the conversation below what the summary covers: it no longer applies.
      if (summarizedCount > messages.length - 1) {
        summary = null;
        summarizedCount = 0;
        await store.updateSummary(conversation.id, null, 0);
      }
      const result = await buildContext({
        system,
        pinnedFacts: pinnedFacts.map((f) => f.text),
        summary,
        summarizedCount,
        messages,
        budget: computeBudget({ contextWindow: Math.min(this.windowInfo().tokens, contextWindow ?? Infinity), outputBudget }),
        ...(shrink !== undefined ? { shrink } : {}),
        counter,
        // keyed by counter id, so counts from the estimate never stand in for the local tokenizer's
        cache: this.cache,
        conversationId: conversation.id,
        ...(model.countPromptTokens ? { exactCount: (m) => model.countPromptTokens!(m) } : {}),
      });
      this.evictedUpTo.set(conversation.id, result.evictedUpTo);
      return {
        messages: result.messages,
        stats: { ...result.stats, windowSource: contextWindow !== undefined && contextWindow < this.windowInfo().tokens ? "error" : this.windowInfo().source },
      };
    };
  }

  /** How the run counts its requests (the same counter trimming uses) and the window they must fit. */
  measure(): RequestMeasure {
    const { model } = this.o;
    return {
      window: () => this.windowInfo(),
      countRequest: async (messages) => {
        const counter = await this.counterForRun();
        const counted = await countRequest(counter, messages);
        // the local engine renders its own chat template: its exact count wins when it is larger
        if (model.provider === "local" && model.countPromptTokens && model.status().ready) return Math.max(counted, await model.countPromptTokens(messages));
        return counted;
      },
      countText: async (text) => (await this.counterForRun()).countText(text),
      truncate: async (text, maxTokens) => truncateToTokens(await this.counterForRun(), text, maxTokens),
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

  /** ALMA_CONTEXT_WINDOW, else what the model learned (server, refusal, known table, engine), else the default. */
  windowInfo(): ContextWindowInfo {
    if (this.o.contextWindow !== null) {
      return { tokens: this.o.contextWindow, source: "setting", detail: "ALMA_CONTEXT_WINDOW", server: null };
    }
    const info = this.o.model.contextWindowInfo?.();
    if (info) return info;
    const own = this.o.model.contextWindow();
    if (own !== null) return { tokens: own, source: this.o.model.provider === "local" ? "engine" : "known", detail: "the model's own window", server: null };
    return {
      tokens: DEFAULT_CONTEXT_WINDOW,
      source: "default",
      detail: `assumed ${DEFAULT_CONTEXT_WINDOW} tokens: nothing told the window; set ALMA_CONTEXT_WINDOW to the model's real one`,
      server: null,
    };
  }

  /**
   * The stored conversation as chat messages; answers with no text (failed before a token) carry nothing and are left
   * out. Reads only the columns a request needs, and keys each message for the count cache by id, status and length:
   * the objects are new on every run, and hashing every long message again was a visible share of the time to first token.
   */
  private async history(conversationId: string, exclude: string | null): Promise<ContextMessage[]> {
    const out: ContextMessage[] = [];
    for (const m of await this.o.store.listContextMessages(conversationId)) {
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
