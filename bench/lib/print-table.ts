/** A benchmark's printable result: one titled table, plus notes such as goals met or missed. */
export interface BenchTable {
  title: string;
  columns: string[];
  rows: string[][];
  notes?: string[];
}

export function renderTable(table: BenchTable): string {
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  const out = [`### ${table.title}`, "", line(table.columns), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`];
  for (const row of table.rows) out.push(line(row));
  if (table.notes?.length) out.push("", ...table.notes.map((n) => `- ${n}`));
  return out.join("\n");
}
