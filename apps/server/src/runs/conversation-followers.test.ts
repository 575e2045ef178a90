import { describe, expect, it } from "vitest";
import type { RunSubscriber } from "./run-subscriber.js";
import { ConversationFollowers } from "./conversation-followers.js";

const client = (id: string): RunSubscriber => ({ id, ready: () => true, send: () => {}, overflowed: () => {} });

describe("ConversationFollowers", () => {
  it("keeps one open conversation per client: following another leaves the first", () => {
    const f = new ConversationFollowers();
    const a = client("a");
    const b = client("b");
    f.follow(a, "c1");
    f.follow(b, "c1");
    expect(f.of("c1")).toEqual([a, b]);
    f.follow(a, "c2");
    expect(f.of("c1")).toEqual([b]);
    expect(f.of("c2")).toEqual([a]);
    expect(f.isFollowing(a, "c2")).toBe(true);
    expect(f.isFollowing(a, "c1")).toBe(false);
  });

  it("forgets a client that left", () => {
    const f = new ConversationFollowers();
    const a = client("a");
    f.follow(a, "c1");
    f.unfollow(a);
    expect(f.of("c1")).toEqual([]);
    expect(f.isFollowing(a, "c1")).toBe(false);
  });
});
