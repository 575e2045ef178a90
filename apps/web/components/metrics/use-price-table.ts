"use client";
import * as React from "react";
import type { ModelPrice } from "@alma/protocol";
import { loadPriceTable, resetPriceTable, savePriceTable } from "@/lib/price-table";

function storage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage;
  } catch {
    return null;
  }
}

/** The user's price table, kept in localStorage: the known prices until edited. */
export function usePriceTable(): { table: ModelPrice[]; save(table: ModelPrice[]): void; reset(): ModelPrice[] } {
  const [table, setTable] = React.useState<ModelPrice[]>(() => loadPriceTable(storage()));
  const save = React.useCallback((next: ModelPrice[]) => {
    setTable(next);
    savePriceTable(storage(), next);
  }, []);
  const reset = React.useCallback(() => {
    const defaults = resetPriceTable(storage());
    setTable(defaults);
    return defaults;
  }, []);
  return { table, save, reset };
}
