import { describe, expect, it } from "vitest";
import { fenced, summarizeToolArguments } from "./tool-call-summary";

describe("a tool call's arguments in short", () => {
  it("shows the calculator's code as code and a search's query as its words", () => {
    expect(summarizeToolArguments('{"code":"const r = 0.06 / 12;\\nr * 2"}')).toEqual({ kind: "code", code: "const r = 0.06 / 12;\nr * 2", language: "js" });
    expect(summarizeToolArguments('{"query":"page 170 revenue","limit":3}')).toEqual({ kind: "query", query: "page 170 revenue" });
  });

  it("shows other arguments on one short line, and text that is not JSON as it is", () => {
    expect(summarizeToolArguments('{"city":"Lisbon","days":3}')).toEqual({ kind: "text", text: "city: Lisbon, days: 3" });
    expect(summarizeToolArguments("{}")).toEqual({ kind: "text", text: "no arguments" });
    expect(summarizeToolArguments("{code: 1+1")).toEqual({ kind: "text", text: "{code: 1+1" });
    const long = summarizeToolArguments(JSON.stringify({ text: "x".repeat(500) }));
    expect(long.kind === "text" && long.text.length).toBe(160);
  });

  it("fences code so backticks inside cannot close it", () => {
    expect(fenced("1 + 1", "js")).toBe("```js\n1 + 1\n```");
    expect(fenced("s = `a` + ````", "js")).toBe("`````js\ns = `a` + ````\n`````");
  });
});
