import { APIError } from "openai";
import { describe, expect, it } from "vitest";
import { mapOpenAIError } from "./map-openai-error.js";
import { SseChatChunkDecoder } from "./sse-chat-chunk-decoder.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const chunk = (content: string, finish: string | null = null) => ({
  id: "c1",
  object: "chat.completion.chunk",
  choices: [{ index: 0, delta: { content }, finish_reason: finish }],
});
const event = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;

/** feeds the text cut at the given byte offsets, then ends the body */
function decodeSplit(text: string, cuts: number[]): unknown[] {
  const all = bytes(text);
  const decoder = new SseChatChunkDecoder();
  const out: unknown[] = [];
  let from = 0;
  for (const cut of [...cuts, all.length]) {
    out.push(...decoder.push(all.subarray(from, cut)));
    from = cut;
  }
  out.push(...decoder.end());
  return out;
}

/** what `run` threw, or undefined */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("SseChatChunkDecoder", () => {
  it("returns the chunks of complete events, in order, and keeps an incomplete one for the next read", () => {
    const decoder = new SseChatChunkDecoder();
    const text = event(chunk("Hel")) + event(chunk("lo"));
    const half = text.length - 10;
    expect(decoder.push(bytes(text.slice(0, half)))).toEqual([chunk("Hel")]);
    expect(decoder.push(bytes(text.slice(half)))).toEqual([chunk("lo")]);
    expect(decoder.end()).toEqual([]);
  });

  it("gives the same chunks wherever the reads split the bytes, multi-byte characters included", () => {
    const payloads = [
      chunk("héllo "),
      chunk("wörld 🌍"),
      chunk("日本語", "stop"),
      { id: "c1", choices: [], usage: { prompt_tokens: 3, completion_tokens: 4 } },
    ];
    const text = `${payloads.map(event).join("")}data: [DONE]\n\n`;
    const length = bytes(text).length;
    for (let cut = 1; cut < length; cut++) {
      expect(decodeSplit(text, [cut])).toEqual(payloads);
    }
    // one byte per read: every boundary at once, inside every emoji and CJK character
    expect(
      decodeSplit(
        text,
        Array.from({ length: length - 1 }, (_, i) => i + 1),
      ),
    ).toEqual(payloads);
  });

  it("reads CRLF and lone-CR line endings, including a CRLF split across reads", () => {
    const text = `data: ${JSON.stringify(chunk("a"))}\r\n\r\ndata: ${JSON.stringify(chunk("b"))}\r\rdata: [DONE]\r\n\r\n`;
    const length = bytes(text).length;
    for (let cut = 1; cut < length; cut++) expect(decodeSplit(text, [cut])).toEqual([chunk("a"), chunk("b")]);
  });

  it("skips comments, keep-alives and events without data; joins multi-line data; accepts data: without a space", () => {
    const json = JSON.stringify(chunk("x"));
    const text = `: keep-alive\n\n:\n\nevent: ping\n\nid: 7\nretry: 100\n\ndata:${json}\n\ndata: {"id":"c1","choices":\ndata: []}\n\n`;
    expect(decodeSplit(text, [])).toEqual([chunk("x"), { id: "c1", choices: [] }]);
  });

  it("stops at [DONE] and ignores what follows", () => {
    const decoder = new SseChatChunkDecoder();
    expect(decoder.push(bytes(`${event(chunk("a"))}data: [DONE]\n\n${event(chunk("late"))}`))).toEqual([chunk("a")]);
    expect(decoder.done).toBe(true);
  });

  it("delivers a last event the body ends without a blank line after", () => {
    const decoder = new SseChatChunkDecoder();
    expect(decoder.push(bytes(`data: ${JSON.stringify(chunk("end"))}\n`))).toEqual([]);
    expect(decoder.end()).toEqual([chunk("end")]);
    expect(decoder.done).toBe(false);
  });

  it("throws the SDK's APIError for an error payload inside the stream, mapped like the SDK's", () => {
    const decoder = new SseChatChunkDecoder(new Headers({ "x-request-id": "req-1" }));
    const text = event(chunk("a")) + event({ error: { message: "the model crashed", type: "server_error", code: null } });
    const thrown = thrownBy(() => decoder.push(bytes(text)));
    expect(thrown).toBeInstanceOf(APIError);
    expect((thrown as APIError).requestID).toBe("req-1");
    const mapped = mapOpenAIError(thrown, { model: "m", baseURL: "http://x", afterFirstToken: true, streamStarted: true });
    expect(mapped).toMatchObject({ code: "stream_interrupted", retryable: true, afterFirstToken: true });
    expect(mapped.message).toContain("the model crashed");
  });

  it("throws for an `event: error` event and maps a context-length error code", () => {
    const decoder = new SseChatChunkDecoder();
    const text = `event: error\ndata: ${JSON.stringify({ error: { message: "too long", code: "context_length_exceeded" } })}\n\n`;
    const thrown = thrownBy(() => decoder.push(bytes(text)));
    expect(thrown).toBeInstanceOf(APIError);
    expect(mapOpenAIError(thrown, { model: "m", baseURL: "http://x", afterFirstToken: false, streamStarted: true }).code).toBe("provider_context_length");
  });

  it("says what it got when an event is not JSON", () => {
    const decoder = new SseChatChunkDecoder();
    expect(() => decoder.push(bytes("data: <html>bad gateway</html>\n\n"))).toThrow(/not JSON: "<html>bad gateway<\/html>"/);
  });
});
