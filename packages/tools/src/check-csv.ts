import Papa from "papaparse";

export interface CsvShape {
  columns: string[];
  /** data rows, the header not counted */
  rowCount: number;
  delimiter: string;
  warnings: string[];
}

const LISTED = 5;

/**
 * Parses a CSV to learn its shape and to say what is wrong with it, row by row. Broken quoting
 * and ragged rows are tolerated (the text is kept as it is) and reported as warnings.
 */
export function checkCsv(text: string): CsvShape {
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: "greedy" });
  const rows = parsed.data;
  const header = rows[0] ?? [];
  const warnings: string[] = [];
  const lineOf = (index: number | undefined) => (index === undefined ? undefined : text.slice(0, index).split("\n").length);
  const place = (row: number | undefined, index: number | undefined) => {
    const line = lineOf(index);
    const r = row === undefined ? undefined : row + 1;
    if (r === undefined) return line === undefined ? "somewhere" : `line ${line}`;
    return line === undefined || line === r ? `row ${r}` : `row ${r} (line ${line})`;
  };
  const unclosed = parsed.errors.find((e) => e.code === "MissingQuotes");
  if (unclosed) {
    warnings.push(
      `broken quoting: a quoted field on ${place(unclosed.row, unclosed.index)} is never closed, so the rest of the file reads as one field; the text is kept as it is`,
    );
  }
  const malformed = parsed.errors.filter((e) => e.code === "InvalidQuotes");
  if (malformed.length > 0) {
    const where = malformed.slice(0, LISTED).map((e) => place(e.row, e.index));
    warnings.push(`a quote inside a quoted field is not doubled on ${listed(where, malformed.length)}`);
  }
  const ragged: string[] = [];
  let raggedCount = 0;
  rows.forEach((row, i) => {
    if (i === 0 || row.length === header.length) return;
    raggedCount += 1;
    if (ragged.length < LISTED) ragged.push(`row ${i + 1} has ${row.length}`);
  });
  if (raggedCount > 0 && !unclosed) warnings.push(`the header has ${header.length} fields but ${listed(ragged, raggedCount)}`);
  return { columns: header.map((c) => c.trim()), rowCount: Math.max(0, rows.length - 1), delimiter: parsed.meta.delimiter, warnings };
}

function listed(items: readonly string[], total: number): string {
  const more = total > items.length ? ` and ${total - items.length} more` : "";
  return `${items.join(", ")}${more}`;
}
