const SIGNATURES: readonly { bytes: readonly number[]; what: string }[] = [
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: "a PDF" },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: "a PNG image" },
  { bytes: [0xff, 0xd8, 0xff], what: "a JPEG image" },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: "a GIF image" },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: "a ZIP archive (a .docx, .xlsx or .zip file?)" },
  { bytes: [0x1f, 0x8b], what: "a gzip archive" },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: "an old Office document (.doc or .xls)" },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: "a program (ELF)" },
  { bytes: [0x4d, 0x5a], what: "a Windows program" },
];

/** What a file's first bytes say it is, for a file whose name says otherwise; undefined when unknown. */
export function sniffBinaryType(bytes: Uint8Array): string | undefined {
  return SIGNATURES.find((s) => s.bytes.every((b, i) => bytes[i] === b))?.what;
}

/** PDF readers accept the header anywhere in the first 1,024 bytes. */
export function hasPdfHeader(bytes: Uint8Array): boolean {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 1024));
  return head.includes("%PDF-");
}
