import { describe, expect, it } from "vitest";
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
});
