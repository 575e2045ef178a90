import { describe, expect, it } from "vitest";
import { decodeText, firstInvalidUtf8 } from "./decode-text.js";

describe("firstInvalidUtf8", () => {
  it("accepts valid UTF-8 up to 4 bytes and rejects what TextDecoder rejects, at the right byte", () => {
    expect(firstInvalidUtf8(new TextEncoder().encode("aé€😀"))).toBe(-1);
    const cases: [number[], number][] = [
      [[0x61, 0xc0, 0x80], 1], // overlong NUL
      [[0xe0, 0x80, 0x80], 0], // overlong 3-byte
      [[0xed, 0xa0, 0x80], 0], // a UTF-16 surrogate
      [[0xf4, 0x90, 0x80, 0x80], 0], // above U+10FFFF
      [[0x61, 0x62, 0xe2, 0x82], 2], // cut off
      [[0x80], 0], // a lone continuation byte
    ];
    for (const [bytes, at] of cases) {
      expect(firstInvalidUtf8(new Uint8Array(bytes)), bytes.join(",")).toBe(at);
      expect(() => new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes))).toThrow();
    }
  });
});

describe("decodeText", () => {
  it("reads UTF-16BE with a byte-order mark and refuses a NUL", () => {
    expect(decodeText(new Uint8Array([0xfe, 0xff, 0, 0x68, 0, 0x69]))).toMatchObject({ ok: true, text: "hi" });
    expect(decodeText(new Uint8Array([0xfe, 0xff, 0, 0]))).toMatchObject({ ok: false });
  });
});
