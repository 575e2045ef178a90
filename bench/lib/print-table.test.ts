import { describe, expect, it } from "vitest";
import { renderTable } from "./print-table.js";

describe("renderTable", () => {
  it("renders a titled markdown table with padded columns and notes", () => {
    const text = renderTable({
      title: "T",
      columns: ["path", "tokens/s"],
      rows: [
        ["bare", "64,010"],
        ["alma", "1"],
      ],
      notes: ["goal met"],
    });
    expect(text.split("\n")).toEqual([
      "### T",
      "",
      "| path | tokens/s |",
      "|------|----------|",
      "| bare | 64,010   |",
      "| alma | 1        |",
      "",
      "- goal met",
    ]);
  });
});
