import { describe, expect, it } from "vitest";
import { checkBeforeUpload, DEFAULT_MAX_ATTACHMENT_BYTES, describeSize, kindOfFile, readMaxAttachmentBytes } from "./attachment-files";

describe("attachment files", () => {
  it("reads the kind from the extension first, then the media type", () => {
    expect(kindOfFile("notes.TXT")).toBe("text");
    expect(kindOfFile("README.md", "application/octet-stream")).toBe("markdown");
    expect(kindOfFile("rows.csv")).toBe("csv");
    expect(kindOfFile("data", "application/json")).toBe("json");
    expect(kindOfFile("paper.pdf")).toBe("pdf");
    expect(kindOfFile("photo.png", "image/png")).toBeNull();
    expect(kindOfFile("letter.docx", "")).toBeNull();
  });

  it("tells the kind, size and count limits before an upload, and lets the rest through", () => {
    expect(checkBeforeUpload({ name: "a.txt", size: 10, type: "text/plain" }, 0, 1024)).toBeNull();
    expect(checkBeforeUpload({ name: "photo.png", size: 10, type: "image/png" }, 0, 1024)).toMatch(/cannot read photo\.png: attach text \(\.txt\)/);
    expect(checkBeforeUpload({ name: "big.csv", size: 3 * 1024 * 1024, type: "" }, 0, 1024 * 1024)).toBe(
      "big.csv is 3.0 MB; a file may be at most 1.0 MB. Attach a smaller file or split it.",
    );
    expect(checkBeforeUpload({ name: "eleventh.md", size: 1, type: "" }, 10, 1024)).toMatch(
      /at most 10 files: send these first, or remove one to attach eleventh\.md/,
    );
  });

  it("describes size and pages", () => {
    expect(describeSize(2048)).toBe("2.0 KB");
    expect(describeSize(2048, 1)).toBe("2.0 KB · 1 page");
    expect(describeSize(500, 170)).toBe("500 B · 170 pages");
  });

  it("reads the configured limit, falling back to the default for nonsense", () => {
    expect(readMaxAttachmentBytes({ ALMA_ATTACHMENT_MAX_BYTES: "2048" })).toBe(2048);
    expect(readMaxAttachmentBytes({ ALMA_ATTACHMENT_MAX_BYTES: "lots" })).toBe(DEFAULT_MAX_ATTACHMENT_BYTES);
    expect(readMaxAttachmentBytes({})).toBe(DEFAULT_MAX_ATTACHMENT_BYTES);
  });
});
