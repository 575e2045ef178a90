import { extractText, getDocumentProxy } from "unpdf";
import type { AttachmentError } from "./attachment-error.js";

export interface PageSpan {
  /** 1-based */
  number: number;
  /** character offsets of the page's text in the document's text */
  start: number;
  end: number;
}

export type PdfText = { ok: true; text: string; pages: PageSpan[]; warnings: string[] } | { ok: false; error: AttachmentError };

const PAGE_BREAK = "\n\n";

/** The text layer of a PDF, page by page (pdf.js through unpdf), so a quote can cite its page. */
export async function extractPdfText(bytes: Uint8Array, name: string): Promise<PdfText> {
  let document: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // a copy: pdf.js may take over (detach) the buffer it is given
    document = await getDocumentProxy(bytes.slice(), { verbosity: 0, isEvalSupported: false, useSystemFonts: false, disableFontFace: true });
  } catch (error) {
    const { name: kind, message } = error as Error;
    if (kind === "PasswordException") {
      return {
        ok: false,
        error: { code: "encrypted_pdf", message: `${name} is password-protected; remove the password (or print it to a new PDF) and attach it again` },
      };
    }
    return { ok: false, error: { code: "damaged_pdf", message: `${name} could not be read as a PDF (${message}); it may be damaged` } };
  }
  try {
    const { text: pageTexts } = await extractText(document, { mergePages: false });
    const pages: PageSpan[] = [];
    const empty: number[] = [];
    let text = "";
    pageTexts.forEach((raw, i) => {
      const pageText = raw.trim();
      if (pageText === "") empty.push(i + 1);
      if (i > 0) text += PAGE_BREAK;
      pages.push({ number: i + 1, start: text.length, end: text.length + pageText.length });
      text += pageText;
    });
    if (empty.length === pageTexts.length) {
      return { ok: false, error: { code: "no_text_layer", message: `${name} has no text layer; it may be scanned images (run OCR on it first)` } };
    }
    const warnings = empty.length > 0 ? [`${describePages(empty)} no text (scanned images?)`] : [];
    return { ok: true, text, pages, warnings };
  } catch (error) {
    return { ok: false, error: { code: "damaged_pdf", message: `the text of ${name} could not be read (${(error as Error).message}); it may be damaged` } };
  } finally {
    await document.destroy().catch(() => {});
  }
}

function describePages(numbers: readonly number[]): string {
  const shown = numbers.slice(0, 10).join(", ");
  const more = numbers.length > 10 ? ` and ${numbers.length - 10} more` : "";
  return numbers.length === 1 ? `page ${shown} has` : `pages ${shown}${more} have`;
}
