import { describe, expect, it } from "vitest";
import type { ChatMessage } from "./chat-message.js";
import type { StreamChunk } from "./chat-model.js";
import { LlmError } from "./llm-error.js";
import { ScriptedChatModel } from "./scripted-chat-model.js";
import { readChatStream } from "./testing/read-chat-stream.js";

const hi: ChatMessage[] = [{ role: "user", content: "hi there" }];

async function collect(iterable: AsyncIterable<StreamChunk>) {
  const chunks: StreamChunk[] = [];
  for await (const c of iterable) chunks.push(c);
  return chunks;
}

describe("ScriptedChatModel", () => {
  it("streams the reply as word-ish tokens, then done with usage", async () => {
    const model = new ScriptedChatModel({ reply: "Hello, world." });
    const chunks = await collect(model.stream(hi, { maxOutputTokens: 100 }));
    expect(chunks.slice(0, -1)).toEqual(["Hello", ",", " world", "."].map((text) => ({ type: "delta", text })));
    expect(chunks.at(-1)).toMatchObject({ type: "done", finishReason: "stop", usage: { completionTokens: 4, reported: true } });
    expect(model.status()).toMatchObject({ ready: true, provider: "scripted", state: "ready" });
  });

  it("answers by a function of the messages, deterministically", async () => {
    const model = new ScriptedChatModel({ reply: (messages, _o, i) => `${i}:${messages.length}` });
    const first = await collect(model.stream(hi, { maxOutputTokens: 10 }));
    const second = await collect(model.stream([...hi, ...hi], { maxOutputTokens: 10 }));
    const text = (cs: StreamChunk[]) => cs.map((c) => (c.type === "delta" ? c.text : "")).join("");
    expect(text(first)).toBe("0:1");
    expect(text(second)).toBe("1:2");
    expect(model.requestCount).toBe(2);
  });

  it("paces tokens at the configured rate", async () => {
    const model = new ScriptedChatModel({ reply: "a b c d e f g h i j", tokensPerSecond: 100 });
    const started = performance.now();
    await collect(model.stream(hi, { maxOutputTokens: 100 }));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThan(1000);
  });

  it("caps at maxOutputTokens with finish length", async () => {
    const model = new ScriptedChatModel({ reply: "a b c d e" });
    const chunks = await collect(model.stream(hi, { maxOutputTokens: 2 }));
    expect(chunks).toHaveLength(3);
    expect(chunks.at(-1)).toMatchObject({ finishReason: "length", usage: { completionTokens: 2 } });
  });

  it("stops at the next token when aborted", async () => {
    const model = new ScriptedChatModel({ reply: "x ".repeat(100), tokensPerSecond: 200 });
    const controller = new AbortController();
    let seen = 0;
    const error = await (async () => {
      try {
        for await (const c of model.stream(hi, { maxOutputTokens: 500, signal: controller.signal })) {
          if (c.type === "delta" && ++seen === 3) controller.abort();
        }
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ code: "aborted", afterFirstToken: true });
    expect(seen).toBe(3);
  });

  it("throws a programmed error after N tokens", async () => {
    const model = new ScriptedChatModel({
      reply: () => ({ text: "a b c", error: new LlmError("stream_interrupted", "cut", { retryable: true, afterFirstToken: true }), failAfterTokens: 2 }),
    });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const c of model.stream(hi, { maxOutputTokens: 10 })) if (c.type === "delta") seen.push(c.text);
      })(),
    ).rejects.toMatchObject({ code: "stream_interrupted" });
    expect(seen).toEqual(["a", " b"]);
  });
});

describe("tool calls", () => {
  const tools = [{ name: "run_javascript", description: "runs code", parameters: { type: "object" } }];
  it("ends a reply with its calls and finish tool_calls when tools are offered", async () => {
    const model = new ScriptedChatModel({ reply: () => ({ text: "Let me compute.", toolCalls: [{ name: "run_javascript", arguments: { code: "1+1" } }] }) });
    const out = await readChatStream(model.stream([{ role: "user", content: "hi" }], { maxOutputTokens: 50, tools }));
    expect(out.text).toBe("Let me compute.");
    expect(out.toolCalls).toEqual([{ id: "call_0_0", name: "run_javascript", arguments: '{"code":"1+1"}' }]);
    expect(out.done?.finishReason).toBe("tool_calls");
  });

  it("makes no call when the request offered no tools, or the model takes none", async () => {
    const reply = () => ({ text: "ok", toolCalls: [{ name: "run_javascript", arguments: "{}" }] });
    const plain = await readChatStream(new ScriptedChatModel({ reply }).stream([{ role: "user", content: "hi" }], { maxOutputTokens: 50 }));
    expect(plain.toolCalls).toEqual([]);
    expect(plain.done?.finishReason).toBe("stop");
    const without = new ScriptedChatModel({ reply, supportsTools: false });
    expect(without.supportsTools()).toBe(false);
    const none = await readChatStream(without.stream([{ role: "user", content: "hi" }], { maxOutputTokens: 50, tools }));
    expect(none.toolCalls).toEqual([]);
  });
});
