import type { AttachmentError } from "./attachment-error.js";
import { type AttachmentKind, SUPPORTED_ATTACHMENTS, attachmentKind, extensionOf } from "./attachment-kind.js";
import { DEFAULT_ATTACHMENT_LIMITS, formatBytes } from "./attachment-limits.js";
import { type CsvShape, checkCsv } from "./check-csv.js";
import { decodeText } from "./decode-text.js";
import { type PageSpan, extractPdfText } from "./extract-pdf-text.js";
import { locateJsonError } from "./locate-json-error.js";
import { hasPdfHeader, sniffBinaryType } from "./sniff-binary-type.js";

export interface AttachmentInput {
  name: string;
  mediaType?: string;
  bytes: Uint8Array;
}

export interface ExtractedAttachment {
  kind: AttachmentKind;
  /** what is stored, indexed and quoted; line breaks are "\n" */
  text: string;
  /** PDFs: where each page's text lies in `text` */
  pages?: PageSpan[];
  /** CSVs: the header and the number of data rows */
  table?: Omit<CsvShape, "warnings">;
  /** what was tolerated, for the person who attached the file */
  warnings: string[];
}

export type ExtractionResult = ({ ok: true } & ExtractedAttachment) | { ok: false; error: AttachmentError };

export interface ExtractOptions {
  /** default 10 MB */
  maxBytes?: number;
}

const LABEL: Record<AttachmentKind, string> = { text: "a text", markdown: "a Markdown", csv: "a CSV", json: "a JSON", pdf: "a PDF" };
// a JSON on one line this long is stored pretty-printed, so it can be chunked and quoted by line
const ONE_LINE_JSON = 500;

/** The text of an attached file, or why it cannot be attached. Never throws. */
export async function extractAttachmentText(input: AttachmentInput, options: ExtractOptions = {}): Promise<ExtractionResult> {
  const { name, bytes } = input;
  const maxBytes = options.maxBytes ?? DEFAULT_ATTACHMENT_LIMITS.maxBytes;
  const fail = (code: AttachmentError["code"], message: string): ExtractionResult => ({ ok: false, error: { code, message } });
  if (bytes.length > maxBytes) return fail("too_large", `${name} is ${formatBytes(bytes.length)}; a file may be at most ${formatBytes(maxBytes)}`);
  if (bytes.length === 0) return fail("empty", `${name} is empty (0 bytes): attach a file with something in it`);

  const sniffed = sniffBinaryType(bytes);
  const kind = attachmentKind(name, input.mediaType) ?? (hasPdfHeader(bytes) && extensionOf(name) === "" ? "pdf" : undefined);
  if (!kind) {
    const what = extensionOf(name) ? `.${extensionOf(name)} files` : input.mediaType ? `${input.mediaType} files` : "files without an extension";
    const looks = sniffed ? ` (it looks like ${sniffed})` : "";
    return fail("unsupported_type", `${name} cannot be attached: ${what} are not supported${looks}; attach ${SUPPORTED_ATTACHMENTS}`);
  }

  if (kind === "pdf") {
    if (!hasPdfHeader(bytes))
      return fail("content_mismatch", `${name} is not a PDF: it does not start with %PDF-${sniffed ? ` (it looks like ${sniffed})` : ""}`);
    const pdf = await extractPdfText(bytes, name);
    return pdf.ok ? { ok: true, kind, text: pdf.text, pages: pdf.pages, warnings: pdf.warnings } : pdf;
  }

  if (sniffed) {
    const rename = sniffed === "a PDF" ? "; rename it to .pdf" : "";
    return fail("content_mismatch", `${name} is named like ${LABEL[kind]} file but it is ${sniffed}${rename}`);
  }
  const decoded = decodeText(bytes);
  if (!decoded.ok) return fail("not_text", `${name} cannot be read as ${LABEL[kind]} file: ${decoded.message}`);
  const text = decoded.text.replace(/\r\n?/g, "\n");
  if (text.trim() === "") return fail("empty", `${name} has no text (only white space)`);
  const warnings = [...decoded.warnings];

  if (kind === "json") {
    try {
      const parsed: unknown = JSON.parse(text);
      if (text.length > ONE_LINE_JSON && !text.trim().includes("\n")) {
        warnings.push("it was on one line; it is stored pretty-printed");
        return { ok: true, kind, text: JSON.stringify(parsed, null, 2), warnings };
      }
    } catch (error) {
      const place = locateJsonError(text);
      const why = place ? `line ${place.line}, column ${place.column}: ${place.problem}` : (error as Error).message.slice(0, 200);
      return fail("invalid_json", `${name} is not valid JSON (${why})`);
    }
    return { ok: true, kind, text, warnings };
  }
  if (kind === "csv") {
    const { warnings: csvWarnings, ...table } = checkCsv(text);
    return { ok: true, kind, text, table, warnings: [...warnings, ...csvWarnings] };
  }
  return { ok: true, kind, text, warnings };
}
