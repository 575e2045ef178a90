import { describe, expect, it } from "vitest";
import { checkAttachmentLimits } from "./attachment-limits.js";
import { type ExtractionResult, extractAttachmentText } from "./extract-attachment-text.js";
import { buildTestPdf } from "./test-pdf.js";

const utf8 = (text: string) => new TextEncoder().encode(text);
const errorOf = (r: ExtractionResult) => (r.ok ? undefined : r.error);

describe("extractAttachmentText: text, Markdown, JSON", () => {
  it("reads UTF-8 text and Markdown, dropping a BOM and normalising line breaks", async () => {
    const text = await extractAttachmentText({ name: "notes.txt", bytes: utf8("\uFEFFcafé\r\nline two") });
    expect(text).toEqual({ ok: true, kind: "text", text: "café\nline two", warnings: [] });
    expect(await extractAttachmentText({ name: "README.md", bytes: utf8("# Title\n\nBody") })).toMatchObject({ ok: true, kind: "markdown" });
    // the media type decides when the name has no known extension
    expect(await extractAttachmentText({ name: "notes", mediaType: "text/markdown; charset=utf-8", bytes: utf8("# x") })).toMatchObject({ kind: "markdown" });
  });

  it("reads UTF-16 with a byte-order mark, with a warning", async () => {
    const bytes = new Uint8Array([0xff, 0xfe, ...Array.from("hi", (c) => [c.charCodeAt(0), 0]).flat()]);
    expect(await extractAttachmentText({ name: "export.csv", bytes })).toMatchObject({ ok: true, text: "hi", warnings: [expect.stringMatching(/UTF-16LE/)] });
  });

  it("refuses binary bytes in a .txt: NUL bytes and invalid UTF-8, with offset and line", async () => {
    const nul = await extractAttachmentText({ name: "a.txt", bytes: new Uint8Array([0x61, 0x0a, 0x62, 0x00, 0x63]) });
    expect(errorOf(nul)).toEqual({
      code: "not_text",
      message: "a.txt cannot be read as a text file: it contains binary data (a NUL byte at offset 3, line 2), so it is not a text file",
    });
    const latin1 = await extractAttachmentText({ name: "b.txt", bytes: new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]) });
    expect(errorOf(latin1)?.message).toBe(
      "b.txt cannot be read as a text file: it is not UTF-8 text (byte 0xE9 at offset 3, line 1); save it as UTF-8 and attach it again",
    );
  });

  it("says what a file really is when its name lies", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    expect(errorOf(await extractAttachmentText({ name: "photo.txt", bytes: png }))).toEqual({
      code: "content_mismatch",
      message: "photo.txt is named like a text file but it is a PNG image",
    });
    expect(errorOf(await extractAttachmentText({ name: "paper.txt", bytes: buildTestPdf([["x"]]) }))?.message).toMatch(/it is a PDF; rename it to \.pdf$/);
    expect(errorOf(await extractAttachmentText({ name: "report.pdf", bytes: utf8("just text, not a pdf") }))).toEqual({
      code: "content_mismatch",
      message: "report.pdf is not a PDF: it does not start with %PDF-",
    });
    expect(errorOf(await extractAttachmentText({ name: "sheet.pdf", bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2]) }))?.message).toMatch(
      /looks like a ZIP archive/,
    );
  });

  it("says where a .json does not parse", async () => {
    const result = await extractAttachmentText({ name: "data.json", bytes: utf8('{\n  "a": 1,\n  "b": }\n') });
    expect(errorOf(result)).toEqual({ code: "invalid_json", message: 'data.json is not valid JSON (line 3, column 8: expected a value, found "}")' });
    const trailing = await extractAttachmentText({ name: "d.json", bytes: utf8("[1, 2,]") });
    expect(errorOf(trailing)?.message).toBe("d.json is not valid JSON (line 1, column 6: a trailing comma before ])");
  });

  it("stores a long one-line JSON pretty-printed", async () => {
    const data = { rows: Array.from({ length: 100 }, (_, i) => ({ id: i, name: `row ${i}` })) };
    const result = await extractAttachmentText({ name: "rows.json", bytes: utf8(JSON.stringify(data)) });
    expect(result.ok && JSON.parse(result.text)).toEqual(data);
    expect(result.ok && result.text.split("\n").length).toBeGreaterThan(100);
  });

  it("refuses empty files, too large files and unsupported types", async () => {
    expect(errorOf(await extractAttachmentText({ name: "e.txt", bytes: new Uint8Array() }))).toEqual({
      code: "empty",
      message: "e.txt is empty (0 bytes): attach a file with something in it",
    });
    expect(errorOf(await extractAttachmentText({ name: "w.md", bytes: utf8(" \n\t ") }))?.code).toBe("empty");
    const big = await extractAttachmentText({ name: "big.txt", bytes: new Uint8Array(2048).fill(0x61) }, { maxBytes: 1024 });
    expect(errorOf(big)).toEqual({ code: "too_large", message: "big.txt is 2 KB; a file may be at most 1 KB" });
    const docx = await extractAttachmentText({ name: "letter.docx", bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04]) });
    expect(errorOf(docx)?.code).toBe("unsupported_type");
    expect(errorOf(docx)?.message).toMatch(
      /^letter\.docx cannot be attached: \.docx files are not supported \(it looks like a ZIP archive.*attach text \(\.txt\)/,
    );
  });
});

describe("extractAttachmentText: CSV", () => {
  it("gives the table's shape", async () => {
    const result = await extractAttachmentText({ name: "t.csv", bytes: utf8('name,amount\n"Smith, J",10\nLee,20\n') });
    expect(result).toMatchObject({ ok: true, kind: "csv", table: { columns: ["name", "amount"], rowCount: 2, delimiter: "," }, warnings: [] });
  });

  it("tolerates an unclosed quote and ragged rows, and names the row in a warning", async () => {
    const unclosed = await extractAttachmentText({ name: "u.csv", bytes: utf8('a,b,c\n1,2,3\n4,"5,6\n7,8,9\n') });
    expect(unclosed.ok).toBe(true);
    expect(unclosed.ok && unclosed.text).toBe('a,b,c\n1,2,3\n4,"5,6\n7,8,9\n');
    expect(unclosed.ok && unclosed.warnings).toEqual([expect.stringMatching(/^broken quoting: a quoted field on row 3 is never closed/)]);

    const ragged = await extractAttachmentText({ name: "r.csv", bytes: utf8("a,b,c\n1,2\n4,5,6,7\n8,9,10\n") });
    expect(ragged.ok && ragged.warnings).toEqual(["the header has 3 fields but row 2 has 2, row 3 has 4"]);
  });
});

describe("extractAttachmentText: PDF", () => {
  it("extracts the text page by page with each page's character offsets", async () => {
    const result = await extractAttachmentText({ name: "two.pdf", bytes: buildTestPdf([["First page text."], ["Second page (with parens)."]]) });
    expect(result).toMatchObject({ ok: true, kind: "pdf", warnings: [] });
    if (!result.ok) return;
    expect(result.pages).toEqual([
      { number: 1, start: 0, end: 16 },
      { number: 2, start: 18, end: 44 },
    ]);
    const [first, second] = result.pages!;
    expect(result.text.slice(first!.start, first!.end)).toBe("First page text.");
    expect(result.text.slice(second!.start, second!.end)).toBe("Second page (with parens).");
  });

  it("warns about pages without text and refuses a PDF with no text at all", async () => {
    const some = await extractAttachmentText({ name: "s.pdf", bytes: buildTestPdf([["text"], [], ["more"]]) });
    expect(some.ok && some.warnings).toEqual(["page 2 has no text (scanned images?)"]);
    const none = await extractAttachmentText({ name: "scan.pdf", bytes: buildTestPdf([[], []]) });
    expect(errorOf(none)).toEqual({ code: "no_text_layer", message: "scan.pdf has no text layer; it may be scanned images (run OCR on it first)" });
  });

  it("says a password-protected PDF is password-protected", async () => {
    const result = await extractAttachmentText({ name: "locked.pdf", bytes: buildTestPdf([["secret"]], { encrypted: true }) });
    expect(errorOf(result)?.code).toBe("encrypted_pdf");
    expect(errorOf(result)?.message).toMatch(/^locked\.pdf is password-protected/);
  });

  it("says a damaged PDF is damaged", async () => {
    const result = await extractAttachmentText({ name: "broken.pdf", bytes: utf8("%PDF-1.4\nthis is not really a pdf") });
    expect(errorOf(result)?.code).toBe("damaged_pdf");
  });
});

describe("checkAttachmentLimits", () => {
  it("bounds the size of a file, the number of files and their total", () => {
    expect(checkAttachmentLimits({ name: "a.txt", size: 10 }, [])).toBeUndefined();
    expect(checkAttachmentLimits({ name: "a.txt", size: 11 * 1024 * 1024 }, [])?.message).toBe("a.txt is 11 MB; a file may be at most 10 MB");
    expect(checkAttachmentLimits({ name: "a.txt", size: 1 }, [{ size: 1 }, { size: 1 }], { maxCount: 2 })?.code).toBe("too_many");
    expect(checkAttachmentLimits({ name: "a.txt", size: 6 }, [{ size: 5 }], { maxTotalBytes: 10 })?.message).toMatch(/would total 11 bytes/);
  });
});
