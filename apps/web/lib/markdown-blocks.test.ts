import { describe, expect, it } from "vitest";
import { splitMarkdownBlocks } from "./markdown-blocks";

describe("splitMarkdownBlocks", () => {
  it("splits at blank lines but never inside a fenced block", () => {
    expect(splitMarkdownBlocks("a\nb\n\nc\n\n```\nx\n\ny\n```\n\nz")).toEqual(["a\nb", "c", "```\nx\n\ny\n```", "z"]);
  });
  it("treats an unclosed fence as running to the end", () => {
    expect(splitMarkdownBlocks("p\n\n~~~\ncode\n\nmore")).toEqual(["p", "~~~\ncode\n\nmore"]);
  });
});
