export type DecodedText = { ok: true; text: string; warnings: string[] } | { ok: false; message: string };

/**
 * Decodes a text file: UTF-8 (a BOM is dropped), or UTF-16 when a BOM says so. NUL bytes and
 * invalid UTF-8 are refused with the byte offset and line, since such a file is binary or in a
 * legacy encoding and its text would be garbled.
 */
export function decodeText(bytes: Uint8Array): DecodedText {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16(bytes, "utf-16le");
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return utf16(bytes, "utf-16be");
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return { ok: false, message: `it contains binary data (a NUL byte at offset ${nul}, line ${lineAt(bytes, nul)}), so it is not a text file` };
  }
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), warnings: [] };
  } catch {
    const at = firstInvalidUtf8(bytes);
    const byte = (bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, "0");
    return { ok: false, message: `it is not UTF-8 text (byte 0x${byte} at offset ${at}, line ${lineAt(bytes, at)}); save it as UTF-8 and attach it again` };
  }
}

function utf16(bytes: Uint8Array, encoding: "utf-16le" | "utf-16be"): DecodedText {
  try {
    const text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
    if (text.includes("\u0000")) return { ok: false, message: "it contains binary data (NUL characters), so it is not a text file" };
    return { ok: true, text, warnings: [`read as ${encoding.toUpperCase()} (it has a UTF-16 byte-order mark)`] };
  } catch {
    return { ok: false, message: `it starts with a ${encoding.toUpperCase()} byte-order mark but is not valid ${encoding.toUpperCase()}` };
  }
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line += 1;
  return line;
}

/** The offset of the first byte that breaks UTF-8 (overlong forms, surrogates and > U+10FFFF included). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min, cp] = [1, 0x80, b & 0x1f];
    else if (b >= 0xe0 && b <= 0xef) [need, min, cp] = [2, 0x800, b & 0x0f];
    else if (b >= 0xf0 && b <= 0xf4) [need, min, cp] = [3, 0x10000, b & 0x07];
    else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}
