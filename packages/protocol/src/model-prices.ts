import { z } from "zod";

/** What a model costs, in US dollars per million tokens; `model` matches a name or its dated/variant forms. */
export const modelPriceSchema = z.object({
  model: z.string().min(1).max(200),
  inputPerMillion: z.number().nonnegative(),
  outputPerMillion: z.number().nonnegative(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;
export const modelPriceTableSchema = z.array(modelPriceSchema).max(200);

/**
 * List prices of common hosted models (USD per million tokens, standard tier, as published by OpenAI in 2025). A
 * starting point the user edits (the metrics panel's price table, or ALMA_MODEL_PRICES on the server); models on the
 * user's own machine cost nothing per token.
 */
export const KNOWN_MODEL_PRICES: readonly ModelPrice[] = [
  { model: "gpt-5", inputPerMillion: 1.25, outputPerMillion: 10 },
  { model: "gpt-5-mini", inputPerMillion: 0.25, outputPerMillion: 2 },
  { model: "gpt-5-nano", inputPerMillion: 0.05, outputPerMillion: 0.4 },
  { model: "gpt-4.1", inputPerMillion: 2, outputPerMillion: 8 },
  { model: "gpt-4.1-mini", inputPerMillion: 0.4, outputPerMillion: 1.6 },
  { model: "gpt-4.1-nano", inputPerMillion: 0.1, outputPerMillion: 0.4 },
  { model: "gpt-4o", inputPerMillion: 2.5, outputPerMillion: 10 },
  { model: "gpt-4o-mini", inputPerMillion: 0.15, outputPerMillion: 0.6 },
  { model: "gpt-4-turbo", inputPerMillion: 10, outputPerMillion: 30 },
  { model: "gpt-3.5-turbo", inputPerMillion: 0.5, outputPerMillion: 1.5 },
  { model: "o3", inputPerMillion: 2, outputPerMillion: 8 },
  { model: "o4-mini", inputPerMillion: 1.1, outputPerMillion: 4.4 },
  { model: "o1", inputPerMillion: 15, outputPerMillion: 60 },
];

/** The price of `model` in `table`: the longest entry that is the name or a prefix of it ("gpt-4o" for "gpt-4o-2024-08-06"). */
export function priceFor(model: string, table: readonly ModelPrice[]): ModelPrice | null {
  const name = model.toLowerCase().replace(/^openai\//, "");
  let best: ModelPrice | null = null;
  for (const entry of table) {
    const prefix = entry.model.toLowerCase();
    const matches = name === prefix || name.startsWith(`${prefix}-`) || name.startsWith(`${prefix}.`) || name.startsWith(`${prefix}:`);
    if (matches && (!best || prefix.length > best.model.length)) best = entry;
  }
  return best;
}

/**
 * The price of what a run used: its model's entry in `table`; a model on this machine (provider "local") costs
 * nothing per token unless the table prices it; null when neither says.
 */
export function priceForRun(run: { model: string; provider: string }, table: readonly ModelPrice[]): ModelPrice | null {
  return priceFor(run.model, table) ?? (run.provider === "local" ? { model: run.model, inputPerMillion: 0, outputPerMillion: 0 } : null);
}

export interface CostEstimate {
  /** US dollars */
  usd: number;
  price: ModelPrice;
}

/** What prompt and completion tokens cost at a price; null when the model has no known price. */
export function estimateCost(tokens: { promptTokens: number; completionTokens: number }, price: ModelPrice | null): CostEstimate | null {
  if (!price) return null;
  const usd = (tokens.promptTokens * price.inputPerMillion + tokens.completionTokens * price.outputPerMillion) / 1_000_000;
  return { usd, price };
}

/** Dollars for people: "$0.0042", "$1.23", "< $0.0001". */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  if (usd < 0.0001) return "< $0.0001";
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  if (usd < 100) return `$${usd.toFixed(2)}`;
  return `$${Math.round(usd).toLocaleString("en-US")}`;
}
