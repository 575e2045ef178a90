import { KNOWN_MODEL_PRICES, modelPriceTableSchema, type ModelPrice } from "@alma/protocol";

/** Where the panel keeps the user's price table. */
export const PRICE_STORAGE_KEY = "alma.modelPrices.v1";

/** A row of the price table as typed: text, so a half-typed number can be shown and corrected. */
export interface PriceDraftRow {
  model: string;
  inputPerMillion: string;
  outputPerMillion: string;
}

export interface PriceIssue {
  /** 0-based row */
  row: number;
  field: keyof PriceDraftRow | null;
  message: string;
}

export type PriceDraftResult = { ok: true; table: ModelPrice[] } | { ok: false; issues: PriceIssue[] };

export function defaultPriceTable(): ModelPrice[] {
  return KNOWN_MODEL_PRICES.map((p) => ({ ...p }));
}

export function toDraft(table: readonly ModelPrice[]): PriceDraftRow[] {
  return table.map((p) => ({ model: p.model, inputPerMillion: String(p.inputPerMillion), outputPerMillion: String(p.outputPerMillion) }));
}

const FIELD_NAME: Record<keyof PriceDraftRow, string> = { model: "model name", inputPerMillion: "input price", outputPerMillion: "output price" };

export function isBlank(r: PriceDraftRow): boolean {
  return r.model.trim() === "" && r.inputPerMillion.trim() === "" && r.outputPerMillion.trim() === "";
}

function parsePrice(text: string): number | null {
  const t = text.trim().replace(/^\$/, "").replace(/,/g, "");
  if (t === "" || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

/**
 * The typed rows as a price table, or what is wrong with them, row by row: a price must be a number of dollars per
 * million tokens, 0 or more; a model name is needed, once; rows left wholly blank are skipped. The result is the
 * protocol's table schema's.
 */
export function parsePriceDraft(rows: readonly PriceDraftRow[]): PriceDraftResult {
  const issues: PriceIssue[] = [];
  const candidate: { model: string; inputPerMillion: number; outputPerMillion: number }[] = [];
  const seen = new Map<string, number>();
  const rowOf: number[] = [];
  rows.forEach((r, row) => {
    // a row added and not filled in yet is left out, not an error
    if (isBlank(r)) return;
    const model = r.model.trim();
    if (model === "") issues.push({ row, field: "model", message: `Row ${row + 1}: enter a model name.` });
    else {
      const key = model.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) issues.push({ row, field: "model", message: `Row ${row + 1}: "${model}" is already priced in row ${first + 1}.` });
      else seen.set(key, row);
    }
    const prices = (["inputPerMillion", "outputPerMillion"] as const).map((field) => {
      const v = parsePrice(r[field]);
      if (v === null || v < 0) {
        const typed = r[field].trim();
        const shown = typed === "" ? "is empty" : v === null ? `"${typed}" is not a number` : "cannot be negative";
        issues.push({ row, field, message: `Row ${row + 1}: the ${FIELD_NAME[field]} ${shown}; enter US dollars per million tokens, e.g. 0.15.` });
      }
      return v ?? 0;
    });
    candidate.push({ model, inputPerMillion: prices[0]!, outputPerMillion: prices[1]! });
    rowOf.push(row);
  });
  if (issues.length > 0) return { ok: false, issues };
  const parsed = modelPriceTableSchema.safeParse(candidate);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => {
        const row = typeof i.path[0] === "number" ? (rowOf[i.path[0]] ?? -1) : -1;
        const field = (typeof i.path[1] === "string" ? i.path[1] : null) as keyof PriceDraftRow | null;
        const where = row >= 0 ? `Row ${row + 1}` : "The table";
        return { row, field, message: `${where}${field ? ` (${FIELD_NAME[field] ?? field})` : ""}: ${i.message}` };
      }),
    };
  }
  return { ok: true, table: parsed.data };
}

type StorageLike = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** The saved table, or the known prices when none was saved or what was saved no longer validates. */
export function loadPriceTable(storage: StorageLike | null): ModelPrice[] {
  try {
    const raw = storage?.getItem(PRICE_STORAGE_KEY);
    if (!raw) return defaultPriceTable();
    const parsed = modelPriceTableSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : defaultPriceTable();
  } catch {
    return defaultPriceTable();
  }
}

export function savePriceTable(storage: StorageLike | null, table: readonly ModelPrice[]): void {
  try {
    storage?.setItem(PRICE_STORAGE_KEY, JSON.stringify(table));
  } catch {
    // storage full or disabled: the table still applies until the page closes
  }
}

export function resetPriceTable(storage: StorageLike | null): ModelPrice[] {
  try {
    storage?.removeItem(PRICE_STORAGE_KEY);
  } catch {
    // disabled storage: nothing was kept
  }
  return defaultPriceTable();
}
