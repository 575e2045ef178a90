import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScriptedUpstream, type ScriptedUpstream } from "./scripted-upstream.js";
import { readArrival, readStamps } from "./hrtime.js";

let upstream: ScriptedUpstream;
beforeAll(async () => {
  upstream = await startScriptedUpstream();
});
afterAll(async () => {
  await upstream.close();
});

async function complete(body: Record<string, unknown>) {
  const res = await fetch(`${upstream.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const events = (sse: string) =>
  sse
    .split("\n\n")
    .filter((e) => e.startsWith("data: "))
    .map((e) => e.slice(6));

describe("scripted upstream", () => {
  it("streams n stamped tokens as OpenAI chunks, then the finish reason, usage and [DONE]", async () => {
    const { status, text } = await complete({
      model: "m",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "n=5 rate=0" }],
    });
    expect(status).toBe(200);
    const data = events(text);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    const contents = chunks.map((c) => c.choices[0]?.delta?.content).filter((c): c is string => typeof c === "string");
    expect(contents).toHaveLength(5);
    const stamps: number[] = [];
    for (const c of contents) readStamps(c, stamps);
    expect(stamps).toHaveLength(5);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    expect(readArrival(contents[0]!)).toBeLessThanOrEqual(stamps[0]!);
    expect(chunks.some((c) => c.choices[0]?.finish_reason === "stop")).toBe(true);
    expect(chunks.at(-1).usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
  });

  it("steers by the last user message and answers other requests with a short text", async () => {
    const { text } = await complete({
      model: "m",
      stream: true,
      messages: [
        { role: "user", content: "n=50" },
        { role: "user", content: "summarize the conversation" },
      ],
    });
    const contents = events(text)
      .filter((d) => d !== "[DONE]")
      .map((d) => JSON.parse(d).choices[0]?.delta?.content)
      .filter(Boolean);
    expect(contents).toEqual(["ok"]);
    expect(upstream.counters.other).toBeGreaterThan(0);
  });

  it("answers a non-streamed JSON request with a JSON object", async () => {
    const { text } = await complete({ model: "m", messages: [{ role: "user", content: "classify" }], response_format: { type: "json_object" } });
    expect(JSON.parse(text).choices[0].message.content).toBe("{}");
  });
});
