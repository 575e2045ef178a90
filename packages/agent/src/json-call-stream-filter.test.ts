import { describe, expect, it } from "vitest";
import { JsonCallStreamFilter } from "./json-call-stream-filter.js";

function stream(text: string, size: number, callStart: number | null) {
  const shown: string[] = [];
  const filter = new JsonCallStreamFilter((t) => shown.push(t));
  for (let i = 0; i < text.length; i += size) filter.push(text.slice(i, i + size));
  filter.end(callStart);
  return shown.join("");
}

describe("JsonCallStreamFilter", () => {
  const call = '{"tool": "run_javascript", "arguments": {"code": "1 + 1"}}';
  it("streams prose and hides a call, in any chunking", () => {
    const text = `Let me compute that. ${call}`;
    for (const size of [1, 2, 3, 7, 100]) expect(stream(text, size, text.indexOf("{"))).toBe("Let me compute that. ");
  });
  it("hides a call in a code fence", () => {
    const text = `Computing:\n\`\`\`json\n${call}\n\`\`\``;
    for (const size of [1, 4, 100]) expect(stream(text, size, text.indexOf("{"))).toBe("Computing:\n");
  });
  it("shows everything held back when the reply was no call after all", () => {
    const text = 'The set {"a": 1} has one key, and { is a brace.';
    for (const size of [1, 5]) expect(stream(text, size, null)).toBe(text);
  });
});
