"use client";
import * as React from "react";
import { Plus, RotateCcw, Trash2 } from "lucide-react";
import { priceFor, type ModelPrice } from "@alma/protocol";
import { parsePriceDraft, toDraft, type PriceDraftRow, type PriceIssue } from "@/lib/price-table";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";

type Row = PriceDraftRow & { id: number };

let nextId = 1;
const withIds = (rows: PriceDraftRow[]): Row[] => rows.map((r) => ({ ...r, id: nextId++ }));

const INPUT =
  "h-7 w-full min-w-0 rounded border bg-background px-1.5 text-xs tabular-nums aria-invalid:border-destructive aria-invalid:ring-1 aria-invalid:ring-destructive";

/**
 * The price table the cost estimates use, in US dollars per million tokens: add, edit and remove rows; each change
 * is checked against the protocol's schema and kept (in this browser) only when the whole table is valid.
 */
export function PriceTableEditor({
  table,
  currentModel,
  onChange,
  onReset,
}: {
  table: ModelPrice[];
  /** the shown answer's model, offered a row when it has no price */
  currentModel: string | null;
  onChange(table: ModelPrice[]): void;
  onReset(): ModelPrice[];
}) {
  const [rows, setRows] = React.useState<Row[]>(() => withIds(toDraft(table)));
  const [issues, setIssues] = React.useState<PriceIssue[]>([]);
  const update = (next: Row[]) => {
    setRows(next);
    const result = parsePriceDraft(next);
    if (result.ok) {
      setIssues([]);
      onChange(result.table);
    } else {
      setIssues(result.issues);
    }
  };
  const edit = (id: number, field: keyof PriceDraftRow, value: string) => update(rows.map((r) => (r.id === id ? { ...r, [field]: value } : r)));
  const invalid = (i: number, field: keyof PriceDraftRow) => issues.some((x) => x.row === i && (x.field === field || x.field === null));
  const unpriced =
    currentModel !== null && priceFor(currentModel, table) === null && !rows.some((r) => r.model.trim().toLowerCase() === currentModel.toLowerCase());
  return (
    <div className="space-y-2" data-testid="price-table" data-rows={rows.length} data-valid={issues.length === 0}>
      <p className="text-xs text-muted-foreground">
        US dollars per million tokens. A model matches its name or its dated and variant forms (gpt-4o for gpt-4o-2024-08-06). Models without a row show “no
        price set”. Kept in this browser.
      </p>
      <table className="w-full table-fixed border-separate border-spacing-y-1 text-xs">
        <thead className="text-left text-[11px] text-muted-foreground">
          <tr>
            <th className="w-[44%] font-normal">Model</th>
            <th className="font-normal">In $/M</th>
            <th className="font-normal">Out $/M</th>
            <th className="w-7" aria-label="Remove" />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.id} data-testid="price-row" data-model={r.model}>
              <td className="pr-1">
                <input
                  className={INPUT}
                  aria-label={`Model of row ${i + 1}`}
                  data-testid="price-model"
                  value={r.model}
                  aria-invalid={invalid(i, "model") || undefined}
                  onChange={(e) => edit(r.id, "model", e.target.value)}
                />
              </td>
              <td className="pr-1">
                <input
                  className={INPUT}
                  inputMode="decimal"
                  aria-label={`Input price of row ${i + 1}, dollars per million tokens`}
                  data-testid="price-input"
                  value={r.inputPerMillion}
                  aria-invalid={invalid(i, "inputPerMillion") || undefined}
                  onChange={(e) => edit(r.id, "inputPerMillion", e.target.value)}
                />
              </td>
              <td className="pr-1">
                <input
                  className={INPUT}
                  inputMode="decimal"
                  aria-label={`Output price of row ${i + 1}, dollars per million tokens`}
                  data-testid="price-output"
                  value={r.outputPerMillion}
                  aria-invalid={invalid(i, "outputPerMillion") || undefined}
                  onChange={(e) => edit(r.id, "outputPerMillion", e.target.value)}
                />
              </td>
              <td>
                <Button
                  size="icon-sm"
                  variant="ghost"
                  aria-label={`Remove ${r.model || `row ${i + 1}`}`}
                  data-testid="price-remove"
                  onClick={() => update(rows.filter((x) => x.id !== r.id))}
                >
                  <Trash2 />
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {issues.length > 0 && (
        <div role="alert" className="rounded border border-destructive/40 bg-destructive/10 p-2 text-xs text-destructive" data-testid="price-error">
          <p className="font-medium">Not saved: the estimates keep the last valid table.</p>
          <ul className="list-disc pl-4">
            {issues.map((x) => (
              <li key={`${x.row}:${x.field}:${x.message}`}>{x.message}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="flex flex-wrap gap-1.5">
        <Button
          size="sm"
          variant="outline"
          data-testid="price-add"
          onClick={() => update([...rows, ...withIds([{ model: "", inputPerMillion: "", outputPerMillion: "" }])])}
        >
          <Plus /> Add a model
        </Button>
        {unpriced && (
          <Button
            size="sm"
            variant="outline"
            data-testid="price-add-current"
            className={cn("max-w-full truncate")}
            onClick={() => update([...rows, ...withIds([{ model: currentModel, inputPerMillion: "", outputPerMillion: "" }])])}
          >
            <Plus /> Price {currentModel}
          </Button>
        )}
        <Button
          size="sm"
          variant="ghost"
          data-testid="price-reset"
          onClick={() => {
            setRows(withIds(toDraft(onReset())));
            setIssues([]);
          }}
        >
          <RotateCcw /> Reset to known prices
        </Button>
      </div>
    </div>
  );
}
