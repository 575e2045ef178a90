// Builds small PDFs for tests, by hand: one Helvetica text line per entry, a correct xref table.

export interface TestPdfOptions {
  /** adds a standard-security /Encrypt dictionary whose user password is not empty */
  encrypted?: boolean;
}

const pdfString = (line: string) => `(${line.replace(/[\\()]/g, (c) => `\\${c}`)})`;

export function buildTestPdf(pages: readonly (readonly string[])[], options: TestPdfOptions = {}): Uint8Array {
  const objects: string[] = [];
  const add = (body: string) => objects.push(body);
  add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  add(""); // 2: the page tree, written once the kids are known
  const kids: number[] = [];
  for (const lines of pages) {
    const ops = ["BT", "/F1 10 Tf", "12 TL", "50 760 Td", ...lines.map((l) => `${pdfString(l)} '`), "ET"].join("\n");
    add(`<< /Length ${ops.length} >>\nstream\n${ops}\nendstream`);
    add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 1 0 R >> >> /Contents ${objects.length} 0 R >>`);
    kids.push(objects.length);
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(" ")}] /Count ${kids.length} >>`;
  add("<< /Type /Catalog /Pages 2 0 R >>");
  const catalog = objects.length;
  let trailerExtra = "";
  if (options.encrypted) {
    add(`<< /Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O <${"ab".repeat(32)}> /U <${"cd".repeat(32)}> >>`);
    trailerExtra = ` /Encrypt ${objects.length} 0 R /ID [<${"01".repeat(16)}> <${"01".repeat(16)}>]`;
  }
  let out = "%PDF-1.4\n";
  const offsets = objects.map((body, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R${trailerExtra} >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}
