import { describe, expect, it } from "vitest";
import type { RunRelay } from "./run-relay.js";
import type { RunEvent } from "@alma/protocol";
import type { RunSubscriber } from "./run-subscriber.js";
import { RunHub } from "./run-hub.js";

function viewer(id: string) {
  const got: RunEvent[] = [];
  const sub: RunSubscriber = { id, ready: () => true, send: (e) => got.push(e), overflowed: () => {} };
  return { sub, got };
}

const hub = () => new RunHub({ replayBufferEvents: 100, replayBufferBytes: 1 << 20, graceMs: 60_000, now: () => 0 });
const init = { conversationId: "c1", userMessageId: "u1", assistantMessageId: "a1", ownerConnectionId: "owner" };

describe("RunHub", () => {
  it("finds runs by conversation, user message and owner while they are active", () => {
    const h = hub();
    const run = h.create(init);
    expect(h.get(run.id)).toBe(run);
    expect(h.activeForConversation("c1")).toBe(run);
    expect(h.forUserMessage("u1")).toBe(run);
    expect(h.activeOwnedBy("owner")).toBe(1);
    expect(h.active).toBe(1);
    h.finish(run);
    expect(h.activeForConversation("c1")).toBeUndefined();
    expect(h.active).toBe(0);
  });

  it("knows who follows a conversation, and a detached socket neither watches runs nor follows", () => {
    const h = hub();
    const a = viewer("a");
    const b = viewer("b");
    h.follow(a.sub, "c1");
    h.follow(b.sub, "c1");
    expect(h.followersOf("c1")).toEqual([a.sub, b.sub]);
    const run = h.create(init);
    for (const f of h.followersOf("c1")) run.subscribe(f, -1);
    run.emit({ type: "run.progress", phase: "generating", label: "Writing" });
    expect(a.got).toHaveLength(1);

    h.detach(a.sub);
    expect(h.followersOf("c1")).toEqual([b.sub]);
    expect(h.isFollowing(a.sub, "c1")).toBe(false);
    expect(run.isSubscribed(a.sub)).toBe(false);
    expect(run.isSubscribed(b.sub)).toBe(true);
    run.emit({ type: "run.progress", phase: "generating", label: "Writing" });
    expect(a.got).toHaveLength(1);
    expect(b.got).toHaveLength(2);
  });

  it("a run whose last viewer here left is kept while a viewer elsewhere reads it, and stopped once none does", async () => {
    let elsewhere: boolean | Error = true;
    const asked: Array<() => void> = [];
    const relay: RunRelay = {
      claim: async () => {},
      append: () => {},
      // answered when the test says, so a viewer can come back while the check is out
      hasRemoteViewers: () =>
        new Promise<boolean>((resolve, reject) => asked.push(() => (elsewhere instanceof Error ? reject(elsewhere) : resolve(elsewhere)))),
    };
    const h = new RunHub({ replayBufferEvents: 100, replayBufferBytes: 1 << 20, graceMs: 20, now: () => 0, relay });
    const run = h.create(init);
    const a = viewer("a");
    const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const answer = async () => {
      while (asked.length === 0) await wait(5);
      asked.shift()!();
      await wait(5);
    };
    run.subscribe(a.sub, -1);
    run.unsubscribe(a.sub);
    // watched elsewhere: another grace period, not a stop
    await answer();
    expect(run.signal.aborted).toBe(false);
    // Redis does not answer: kept going too (its deadline still ends it)
    elsewhere = new Error("redis away");
    await answer();
    expect(run.signal.aborted).toBe(false);
    // a viewer comes back here while the check is out: not stopped though nobody is elsewhere
    elsewhere = false;
    while (asked.length === 0) await wait(5);
    run.subscribe(a.sub, -1);
    await answer();
    expect(run.signal.aborted).toBe(false);
    // it leaves again and nobody reads it anywhere: stopped as abandoned
    run.unsubscribe(a.sub);
    await answer();
    expect(run.signal.aborted).toBe(true);
    expect(run.stopCause).toBe("abandoned");
  });
});
