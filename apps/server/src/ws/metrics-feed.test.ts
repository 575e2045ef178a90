import { afterEach, describe, expect, it, vi } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import type { ServerFrame } from "@alma/protocol";
import type { AppMetrics } from "../metrics/app-metrics.js";
import { testConfig } from "../testing/test-config.js";
import { useTestResources } from "../testing/use-test-resources.js";
import type { ClientConnection } from "./client-connection.js";
import { ClientRegistry } from "./client-registry.js";
import { MetricsFeed } from "./metrics-feed.js";

const resources = useTestResources();
const start = () => resources.serve({ config: testConfig(), model: new ScriptedChatModel() });

describe("the metrics feed", () => {
  it("sends server metrics about once a second while subscribed", async () => {
    const { connect } = await start();
    const c = await connect();
    c.send({ type: "metrics.subscribe", enabled: true });
    const m = await c.waitFor("metrics.server");
    expect(m.connections).toBe(1);
    expect(m.rssBytes).toBeGreaterThan(0);
    c.send({ type: "metrics.subscribe", enabled: false });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("snapshots at once for the first subscriber, then each second to the subscribers only, and stops when the last leaves", () => {
    vi.useFakeTimers();
    let snapshots = 0;
    const metrics = { snapshot: () => ({ type: "metrics.server", at: ++snapshots }) } as unknown as AppMetrics;
    const clients = new ClientRegistry();
    const make = (id: string) => {
      const got: ServerFrame[] = [];
      const client = { id, isWelcomed: true, send: (f: ServerFrame) => got.push(f) } as unknown as ClientConnection;
      clients.add(client);
      return { client, got };
    };
    const a = make("a");
    const b = make("b");
    const bystander = make("c");
    const feed = new MetricsFeed({ metrics, clients });

    feed.setSubscribed(a.client, true);
    expect(a.got).toHaveLength(1);
    feed.setSubscribed(b.client, true);
    expect(b.got).toHaveLength(0);
    vi.advanceTimersByTime(1000);
    // one snapshot per tick, the same frame for every subscriber
    expect(a.got.at(-1)).toBe(b.got.at(-1));
    expect([a.got.length, b.got.length, bystander.got.length]).toEqual([2, 1, 0]);

    feed.setSubscribed(a.client, false);
    feed.setSubscribed(b.client, false);
    const taken = snapshots;
    vi.advanceTimersByTime(5000);
    expect(snapshots).toBe(taken);
    feed.close();
  });
});
