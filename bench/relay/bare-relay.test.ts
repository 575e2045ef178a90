import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChild, type BenchChild } from "../lib/child.js";
import { startScriptedUpstream, type ScriptedUpstream } from "../lib/scripted-upstream.js";
import { bareRelayClient, type StreamClient } from "./stream-clients.js";
import { runLoad } from "../concurrency/load-client.js";

let upstream: ScriptedUpstream;
let relay: BenchChild<{ url: string }>;
let client: StreamClient;
beforeAll(async () => {
  upstream = await startScriptedUpstream();
  relay = await startChild<{ url: string }>(new URL("./bare-relay-server.ts", import.meta.url), { env: { UPSTREAM_URL: upstream.url } });
  client = await bareRelayClient(relay.ready.url);
}, 30_000);
afterAll(async () => {
  await client?.close();
  await relay?.stop();
  await upstream?.close();
});

describe("the bare relay and its clients", () => {
  it("delivers every token with its emit→receive latency and the upstream's own first-token time", async () => {
    const s = await client.stream("n=200 rate=0");
    expect(s.tokens).toBe(200);
    expect(s.latencies).toHaveLength(200);
    expect(s.latencies.every((l) => l >= 0)).toBe(true);
    expect(s.upstreamArrivalAt).toBeLessThanOrEqual(s.upstreamFirstEmitAt);
    expect(s.sentAt).toBeLessThanOrEqual(s.firstReceivedAt);
    expect(s.firstReceivedAt).toBeLessThanOrEqual(s.lastReceivedAt);
  });

  it("runs concurrent paced sessions and counts lost tokens and seq gaps", async () => {
    const r = await runLoad({ url: relay.ready.url, mode: "bare", sessions: 10, tokens: 5, rate: 100, startSpreadMs: 20 });
    expect(r.connected).toBe(10);
    expect(r.receivedTokens).toBe(50);
    expect(r.brokenSessions).toBe(0);
    expect(r.errors).toEqual([]);
  });
});
