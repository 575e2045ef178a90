import { estimateCost, priceForRun, type ModelPrice, type RunMetrics } from "@alma/protocol";
import type { UiMessage } from "./ui-message";

export interface RunCost {
  model: string;
  promptTokens: number;
  completionTokens: number;
  /** the table's entry for the model (a local model's is $0 unless the table prices it); null when it has none ("no price set", not $0) */
  price: ModelPrice | null;
  /** US dollars; 0 for a cache hit (no model request); null when the model has no price */
  usd: number | null;
  cacheHit: boolean;
}

/** What a run cost at the table's prices: its prompt and completion tokens, every request of the run counted. */
export function runCost(mt: RunMetrics, table: readonly ModelPrice[]): RunCost {
  const price = priceForRun(mt, table);
  const base = { model: mt.model, promptTokens: mt.promptTokens, completionTokens: mt.completionTokens, price, cacheHit: mt.cacheHit };
  // a cached answer is replayed: no model was asked, whatever it would have cost
  if (mt.cacheHit) return { ...base, usd: 0 };
  return { ...base, usd: estimateCost(mt, price)?.usd ?? null };
}

export interface ConversationCost {
  runs: number;
  promptTokens: number;
  completionTokens: number;
  /** the priced runs' dollars; null when no run had a price */
  usd: number | null;
  pricedRuns: number;
  unpricedRuns: number;
  /** models with no price in the table, in the order met */
  unpricedModels: string[];
}

/** The conversation's measured answers added up: tokens of every run, dollars of those whose model has a price. */
export function conversationCost(messages: readonly UiMessage[], table: readonly ModelPrice[]): ConversationCost {
  const out: ConversationCost = { runs: 0, promptTokens: 0, completionTokens: 0, usd: null, pricedRuns: 0, unpricedRuns: 0, unpricedModels: [] };
  for (const m of messages) {
    if (m.role !== "assistant" || !m.metrics) continue;
    const c = runCost(m.metrics, table);
    out.runs++;
    out.promptTokens += c.promptTokens;
    out.completionTokens += c.completionTokens;
    if (c.usd === null) {
      out.unpricedRuns++;
      if (!out.unpricedModels.includes(c.model)) out.unpricedModels.push(c.model);
    } else {
      out.pricedRuns++;
      out.usd = (out.usd ?? 0) + c.usd;
    }
  }
  return out;
}
