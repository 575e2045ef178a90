import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChild, type BenchChild } from "../lib/child.js";
import { startScriptedUpstream, type ScriptedUpstream } from "../lib/scripted-upstream.js";
import { aiSdkClient } from "./stream-clients.js";

let upstream: ScriptedUpstream;
let server: BenchChild<{ url: string }>;
beforeAll(async () => {
  upstream = await startScriptedUpstream();
  server = await startChild<{ url: string }>(new URL("./ai-sdk-server.ts", import.meta.url), { env: { UPSTREAM_URL: upstream.url } });
}, 30_000);
afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

describe("the AI SDK path", () => {
  it("streams every token as UI message stream text deltas and keeps the answer in the history it resends", async () => {
    const client = aiSdkClient(server.ready.url);
    const first = await client.stream("n=30 rate=0");
    expect(first.tokens).toBe(30);
    expect(client.history).toHaveLength(2);
    const answer = client.history[1]!.parts[0]!.text;
    expect(answer.match(/@\d+;/g)).toHaveLength(30);
    const second = await client.stream("n=3 rate=0");
    expect(second.tokens).toBe(3);
    expect(client.history).toHaveLength(4);
    await client.close();
  });
});
