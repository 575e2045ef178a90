import { describe, expect, it } from "vitest";
import { type FollowEnd, RunFollower } from "./run-follower.js";
import { runEvents } from "./test-redis.test-helpers.js";

function follower(afterIndex: number, catchingUp: boolean) {
  const got: number[] = [];
  const ends: FollowEnd[] = [];
  const f = new RunFollower(
    "r",
    afterIndex,
    (e) => got.push(e.index),
    (end) => ends.push(end),
    catchingUp,
  );
  return { f, got, ends };
}

describe("RunFollower", () => {
  const events = runEvents("r", 20);

  it("holds live events while it catches up, then hands each on once, in order, whatever overlaps", () => {
    const { f, got, ends } = follower(4, true);
    // the live reader already had 9..14 when the catch-up read (5..11) came back
    for (const e of events.slice(9, 15)) f.offer(e);
    expect(got).toEqual([]);
    f.catchUp(events.slice(5, 12));
    expect(got).toEqual([5, 6, 7, 8, 9, 10, 11]);
    f.caughtUp();
    for (const e of events.slice(13, 21)) f.offer(e);
    expect(got).toEqual(events.slice(5).map((e) => e.index));
    expect(ends).toEqual([{ reason: "ended", lastIndex: 20 }]);
  });

  it("drops repeats and stops at a hole instead of skipping it", () => {
    const { f, got, ends } = follower(-1, false);
    f.offer(events[0]!);
    f.offer(events[0]!);
    f.offer(events[1]!);
    f.offer(events[3]!);
    f.offer(events[2]!);
    expect(got).toEqual([0, 1]);
    expect(ends).toEqual([{ reason: "too_far_behind", lastIndex: 1, oldestIndex: 3 }]);
  });

  it("a viewer whose handler throws is ended with the error, not left half-delivered", () => {
    const ends: FollowEnd[] = [];
    const f = new RunFollower(
      "r",
      -1,
      () => {
        throw new Error("socket gone");
      },
      (end) => ends.push(end),
      false,
    );
    f.offer(events[0]!);
    f.offer(events[1]!);
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ reason: "failed", lastIndex: 0 });
  });
});
