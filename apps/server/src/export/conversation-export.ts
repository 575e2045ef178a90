import { type Conversation, estimateCost, type Message, type ModelPrice, type PinnedFact, priceForRun, type RunMetrics, type Usage } from "@alma/protocol";

/** The version of the JSON export's shape; a change that breaks a reader is a new version. */
export const EXPORT_VERSION = 1;

/** A stored message as exported: as stored (metrics and steps included), with what the answer cost. */
export type ExportedMessage = Message & {
  /** US dollars for an answer's tokens at the server's prices; null for user messages and models without a price */
  costUsd: number | null;
};

/** `GET /api/conversations/:id/export?format=json` */
export interface ConversationExport {
  version: typeof EXPORT_VERSION;
  /** ISO 8601, UTC */
  exportedAt: string;
  conversation: Conversation;
  messages: ExportedMessage[];
  pinnedFacts: PinnedFact[];
  totals: {
    /** every answer's prompt tokens (each model request of its run, hidden ones included) */
    promptTokens: number;
    completionTokens: number;
    /** the answers' cost; null when an answer that used tokens has no known price */
    costUsd: number | null;
  };
}

/** the tokens an answer used: its run's usage, else its metrics' figures, else none */
export function answerTokens(m: Pick<Message, "usage" | "metrics">): Pick<Usage, "promptTokens" | "completionTokens"> {
  if (m.usage) return { promptTokens: m.usage.promptTokens, completionTokens: m.usage.completionTokens };
  if (m.metrics) return { promptTokens: m.metrics.promptTokens, completionTokens: m.metrics.completionTokens };
  return { promptTokens: 0, completionTokens: 0 };
}

/**
 * What an answer cost at `prices` (ALMA_MODEL_PRICES over the known table): the model's price by name or prefix; a
 * model on this machine (provider "local") costs nothing unless priced; an answer from the cache made no request.
 * Null when the model has no price, or the answer says nothing of its model.
 */
export function answerCost(m: Pick<Message, "role" | "usage" | "metrics">, prices: readonly ModelPrice[]): number | null {
  if (m.role !== "assistant") return null;
  const tokens = answerTokens(m);
  if (tokens.promptTokens + tokens.completionTokens === 0) return 0;
  const metrics: RunMetrics | null = m.metrics;
  if (!metrics) return null;
  if (metrics.cacheHit) return 0;
  return estimateCost(tokens, priceForRun(metrics, prices))?.usd ?? null;
}

/** Builds the JSON export of a conversation as stored now. */
export function buildConversationExport(args: {
  conversation: Conversation;
  messages: Message[];
  pinnedFacts: PinnedFact[];
  prices: readonly ModelPrice[];
  now: number;
}): ConversationExport {
  const messages = args.messages.map((m) => ({ ...m, costUsd: answerCost(m, args.prices) }));
  let promptTokens = 0;
  let completionTokens = 0;
  let costUsd: number | null = 0;
  for (const m of messages) {
    if (m.role !== "assistant") continue;
    const tokens = answerTokens(m);
    promptTokens += tokens.promptTokens;
    completionTokens += tokens.completionTokens;
    costUsd = costUsd === null || m.costUsd === null ? null : costUsd + m.costUsd;
  }
  return {
    version: EXPORT_VERSION,
    exportedAt: new Date(args.now).toISOString(),
    conversation: args.conversation,
    messages,
    pinnedFacts: args.pinnedFacts,
    totals: { promptTokens, completionTokens, costUsd },
  };
}
