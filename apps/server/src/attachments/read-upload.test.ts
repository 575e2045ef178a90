import { describe, expect, it } from "vitest";
import { cleanFileName } from "./read-upload.js";

describe("cleanFileName", () => {
  it("keeps the base name a browser or curl sent, without folders or control characters, at most 255 characters", () => {
    expect(cleanFileName("notes.md")).toBe("notes.md");
    expect(cleanFileName("C:\\fakepath\\Q3 report.pdf")).toBe("Q3 report.pdf");
    expect(cleanFileName("../../etc/passwd")).toBe("passwd");
    expect(cleanFileName(" a\u0000b\u001f\u007f.txt ")).toBe("ab.txt");
    expect(cleanFileName("folder/")).toBe("");
    expect(cleanFileName(`${"x".repeat(300)}.txt`)).toHaveLength(255);
  });
});
