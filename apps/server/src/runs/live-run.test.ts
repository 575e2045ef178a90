import { afterEach, describe, expect, it, vi } from "vitest";
import type { RunEvent } from "@alma/protocol";
import { LiveRun } from "./live-run.js";
import type { RunSubscriber } from "./run-subscriber.js";

function subscriber(id: string, ready = () => true) {
  const got: RunEvent[] = [];
  const overflows: number[] = [];
  const sub: RunSubscriber = { id, ready, send: (e) => got.push(e), overflowed: (_r, from) => overflows.push(from) };
  return { sub, got, overflows };
}

function run(opts: { buffer?: number; bytes?: number; graceMs?: number; onAbandoned?: (r: LiveRun) => void } = {}) {
  return new LiveRun({
    id: "r1",
    conversationId: "c",
    userMessageId: "u",
    assistantMessageId: "a",
    ownerConnectionId: "conn",
    replayBufferEvents: opts.buffer ?? 100,
    replayBufferBytes: opts.bytes ?? 1_000_000,
    graceMs: opts.graceMs ?? 1000,
    now: () => 42,
    onAbandoned: opts.onAbandoned ?? ((r) => r.stop("abandoned")),
  });
}

const token = (text: string) => ({ type: "run.token" as const, text, agent: "manager", stepId: null });

afterEach(() => vi.useRealTimers());

describe("LiveRun", () => {
  it("stamps gap-free index and token seq and delivers to every subscriber", () => {
    const r = run();
    const a = subscriber("a");
    const b = subscriber("b");
    r.subscribe(a.sub, -1);
    r.subscribe(b.sub, -1);
    r.emit({ type: "run.progress", phase: "generating", label: "Writing" });
    r.emit(token("x"));
    r.emit(token("y"));
    expect(a.got.map((e) => [e.index, e.type === "run.token" ? e.seq : null, e.runId, e.at])).toEqual([
      [0, null, "r1", 42],
      [1, 0, "r1", 42],
      [2, 1, "r1", 42],
    ]);
    expect(b.got).toEqual(a.got);
  });

  it("replays what a resuming subscriber missed, then live events, without gaps or duplicates", () => {
    const r = run();
    for (const t of ["a", "b", "c"]) r.emit(token(t));
    const late = subscriber("late");
    expect(r.subscribe(late.sub, 0)).toEqual({ ok: true });
    r.emit(token("d"));
    expect(late.got.map((e) => e.index)).toEqual([1, 2, 3]);
  });

  it("keeps the replay buffer bounded and refuses a resume from before it", () => {
    const r = run({ buffer: 4 });
    for (let i = 0; i < 10; i++) r.emit(token(String(i)));
    expect(r.bufferedEvents).toBe(4);
    expect(r.subscribe(subscriber("s").sub, 2)).toEqual({ ok: false, reason: "too_far_behind", oldestIndex: 6 });
    expect(r.subscribe(subscriber("t").sub, 5).ok).toBe(true);
  });

  it("bounds the replay buffer in bytes too", () => {
    const r = run({ bytes: 10_000 });
    for (let i = 0; i < 10; i++) r.emit(token("y".repeat(3000)));
    expect(r.bufferedEvents).toBe(3);
    expect(r.subscribe(subscriber("s").sub, 6).ok).toBe(true);
  });

  it("holds events back from a congested subscriber and catches it up from the buffer", () => {
    let ready = false;
    const slow = subscriber("slow", () => ready);
    const r = run();
    r.subscribe(slow.sub, -1);
    r.emit(token("a"));
    r.emit(token("b"));
    expect(slow.got).toEqual([]);
    ready = true;
    r.emit(token("c"));
    expect(slow.got.map((e) => e.index)).toEqual([0, 1, 2]);
  });

  it("tells a subscriber that fell out of the buffer to reload", () => {
    let ready = false;
    const slow = subscriber("slow", () => ready);
    const r = run({ buffer: 2 });
    r.subscribe(slow.sub, -1);
    for (let i = 0; i < 5; i++) r.emit(token(String(i)));
    ready = true;
    r.emit(token("x"));
    expect(slow.overflows).toEqual([0]);
    expect(r.isSubscribed(slow.sub)).toBe(false);
  });

  it("drops tokens after a stop, so a stop takes effect within one token", () => {
    const r = run();
    const s = subscriber("s");
    r.subscribe(s.sub, -1);
    r.emit(token("a"));
    expect(r.stop("user")).toBe(true);
    expect(r.signal.aborted).toBe(true);
    expect(r.emit(token("late"))).toBeNull();
    expect(r.stop("user")).toBe(false);
    expect(r.stopCause).toBe("user");
    expect(s.got).toHaveLength(1);
  });

  it("stops itself when nobody resumes within the grace period", () => {
    vi.useFakeTimers();
    const r = run({ graceMs: 1000 });
    const s = subscriber("s");
    r.subscribe(s.sub, -1);
    r.unsubscribe(s.sub);
    vi.advanceTimersByTime(999);
    expect(r.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(r.stopCause).toBe("abandoned");
  });

  it("keeps going when a subscriber resumes within the grace period", () => {
    vi.useFakeTimers();
    const r = run({ graceMs: 1000 });
    const s = subscriber("s");
    r.subscribe(s.sub, -1);
    r.unsubscribe(s.sub);
    vi.advanceTimersByTime(500);
    r.subscribe(subscriber("again").sub, -1);
    vi.advanceTimersByTime(5000);
    expect(r.signal.aborted).toBe(false);
  });
});
