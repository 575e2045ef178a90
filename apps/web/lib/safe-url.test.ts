import { describe, expect, it } from "vitest";
import { safeUrl } from "./safe-url";

describe("safeUrl", () => {
  it("keeps web, mail and in-page links", () => {
    expect(safeUrl("https://a.example/x")).toBe("https://a.example/x");
    expect(safeUrl("mailto:a@b.c")).toBe("mailto:a@b.c");
    expect(safeUrl("#top")).toBe("#top");
  });
  it("drops script, data and relative targets", () => {
    for (const u of [
      "javascript:alert(1)",
      " JAVASCRIPT:alert(1)",
      "java\nscript:alert(1)",
      "data:text/html;base64,PHNjcmlwdD4=",
      "vbscript:x",
      "/etc/passwd",
      "file:///etc/passwd",
    ]) {
      expect(safeUrl(u)).toBe("");
    }
  });
});
