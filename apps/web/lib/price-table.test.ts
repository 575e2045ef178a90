import { describe, expect, it } from "vitest";
import { KNOWN_MODEL_PRICES } from "@alma/protocol";
import { loadPriceTable, parsePriceDraft, PRICE_STORAGE_KEY, resetPriceTable, savePriceTable, toDraft, type PriceDraftRow } from "./price-table";

const row = (model: string, input: string, output: string): PriceDraftRow => ({ model, inputPerMillion: input, outputPerMillion: output });

describe("parsePriceDraft", () => {
  it("turns typed rows into the protocol's price table", () => {
    expect(parsePriceDraft([row(" my-model ", "0.5", "$1,000"), row("other", "1e-1", "0")])).toEqual({
      ok: true,
      table: [
        { model: "my-model", inputPerMillion: 0.5, outputPerMillion: 1000 },
        { model: "other", inputPerMillion: 0.1, outputPerMillion: 0 },
      ],
    });
    expect(parsePriceDraft(toDraft(KNOWN_MODEL_PRICES))).toEqual({ ok: true, table: KNOWN_MODEL_PRICES });
  });

  it("says row by row what is wrong: not a number, negative, empty, no name, a name twice", () => {
    const result = parsePriceDraft([row("a", "abc", "1"), row("b", "-1", ""), row("", "1", "1"), row("A", "1", "1")]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.row, i.field])).toEqual([
      [0, "inputPerMillion"],
      [1, "inputPerMillion"],
      [1, "outputPerMillion"],
      [2, "model"],
      [3, "model"],
    ]);
    expect(result.issues[0]!.message).toBe('Row 1: the input price "abc" is not a number; enter US dollars per million tokens, e.g. 0.15.');
    expect(result.issues[1]!.message).toContain("cannot be negative");
    expect(result.issues[2]!.message).toContain("output price is empty");
    expect(result.issues[3]!.message).toBe("Row 3: enter a model name.");
    expect(result.issues[4]!.message).toBe('Row 4: "A" is already priced in row 1.');
  });

  it("passes the protocol schema's own limits on, with the row they are in", () => {
    const result = parsePriceDraft([row("", "", ""), row("x".repeat(201), "1", "1")]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => [i.row, i.field])).toEqual([[1, "model"]]);
    const many = Array.from({ length: 201 }, (_, i) => row(`m${i}`, "1", "1"));
    expect(parsePriceDraft(many).ok).toBe(false);
  });

  it("leaves out a row added and not filled in yet", () => {
    expect(parsePriceDraft([row("a", "1", "2"), row(" ", "", "")])).toEqual({ ok: true, table: [{ model: "a", inputPerMillion: 1, outputPerMillion: 2 }] });
  });
});

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

describe("the stored price table", () => {
  it("is the known prices until one is saved, and what was saved after", () => {
    const storage = memoryStorage();
    expect(loadPriceTable(storage)).toEqual(KNOWN_MODEL_PRICES);
    const mine = [{ model: "fake-model", inputPerMillion: 1, outputPerMillion: 2 }];
    savePriceTable(storage, mine);
    expect(JSON.parse(storage.data.get(PRICE_STORAGE_KEY)!)).toEqual(mine);
    expect(loadPriceTable(storage)).toEqual(mine);
    expect(resetPriceTable(storage)).toEqual(KNOWN_MODEL_PRICES);
    expect(storage.data.has(PRICE_STORAGE_KEY)).toBe(false);
  });

  it("falls back to the known prices when what was kept is broken or invalid, or there is no storage", () => {
    expect(loadPriceTable(memoryStorage({ [PRICE_STORAGE_KEY]: "{not json" }))).toEqual(KNOWN_MODEL_PRICES);
    expect(loadPriceTable(memoryStorage({ [PRICE_STORAGE_KEY]: JSON.stringify([{ model: "x", inputPerMillion: -1, outputPerMillion: 0 }]) }))).toEqual(
      KNOWN_MODEL_PRICES,
    );
    expect(loadPriceTable(null)).toEqual(KNOWN_MODEL_PRICES);
    const copy = loadPriceTable(null);
    copy[0]!.inputPerMillion = 999;
    expect(KNOWN_MODEL_PRICES[0]!.inputPerMillion).not.toBe(999);
  });
});
