import type { ChatMessage } from "@alma/llm";
import { describe, expect, it } from "vitest";
import { SummaryScheduler, type SummaryState } from "./summary-scheduler.js";

const msgs = (n: number): ChatMessage[] => Array.from({ length: n }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `m${i}` }) as ChatMessage);

describe("SummaryScheduler", () => {
  it("runs one job at a time per conversation and folds newer requests into the next round", async () => {
    const state: SummaryState = { summary: null, summarizedCount: 0, messages: msgs(10) };
    let running = 0;
    let maxRunning = 0;
    const seen: string[][] = [];
    const s = new SummaryScheduler({
      summarize: async ({ previousSummary, evicted }) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
        seen.push(evicted.map((m) => m.content));
        return `${previousSummary ?? ""}[${evicted.map((m) => m.content).join(",")}]`;
      },
      load: () => state,
      save: (_id, summary, count) => {
        state.summary = summary;
        state.summarizedCount = count;
      },
    });
    s.schedule("c", 2);
    await new Promise((r) => setTimeout(r, 2));
    s.schedule("c", 4);
    s.schedule("c", 6);
    await s.idle("c");
    expect(maxRunning).toBe(1);
    expect(seen).toEqual([
      ["m0", "m1"],
      ["m2", "m3", "m4", "m5"],
    ]);
    expect(state).toMatchObject({ summary: "[m0,m1][m2,m3,m4,m5]", summarizedCount: 6 });
    expect(s.pendingCount).toBe(0);
  });

  it("keeps retrying and finishes when the error reporter itself throws", async () => {
    const state: SummaryState = { summary: null, summarizedCount: 0, messages: msgs(4) };
    let calls = 0;
    const s = new SummaryScheduler({
      summarize: async () => {
        if (++calls === 1) throw new Error("model down");
        return "ok";
      },
      load: () => state,
      save: (_id, summary, count) => {
        state.summary = summary;
        state.summarizedCount = count;
      },
      retry: { baseMs: 1, maxMs: 1 },
      onError: () => {
        throw new Error("logger broke");
      },
    });
    s.schedule("c", 2);
    await s.idle("c");
    expect(calls).toBe(2);
    expect(state).toMatchObject({ summary: "ok", summarizedCount: 2 });
    expect(s.isPending("c")).toBe(false);
  });

  it("retries with backoff after a failure, and trimming state is untouched meanwhile", async () => {
    const state: SummaryState = { summary: null, summarizedCount: 0, messages: msgs(4) };
    let calls = 0;
    const errors: number[] = [];
    const s = new SummaryScheduler({
      summarize: async () => {
        calls++;
        if (calls < 3) throw new Error("model down");
        return "ok";
      },
      load: () => state,
      save: (_id, summary, count) => {
        Object.assign(state, { summary, summarizedCount: count });
      },
      retry: { baseMs: 5, maxMs: 20 },
      onError: (_id, _e, attempt) => errors.push(attempt),
    });
    s.schedule("c", 4);
    await new Promise((r) => setTimeout(r, 1));
    expect(state.summarizedCount).toBe(0);
    await s.idle("c");
    expect(errors).toEqual([1, 2]);
    expect(state).toMatchObject({ summary: "ok", summarizedCount: 4 });
  });

  it("gives up after maxAttempts and cancels on clearConversation", async () => {
    const state: SummaryState = { summary: null, summarizedCount: 0, messages: msgs(4) };
    const tried: string[] = [];
    const s = new SummaryScheduler({
      summarize: async ({ evicted }) => {
        tried.push(evicted[0]!.content);
        throw new Error("always");
      },
      load: (id) => (id === "d" ? { ...state, messages: [{ role: "user", content: "d0" }, ...state.messages] } : state),
      save: () => {},
      retry: { baseMs: 1, maxAttempts: 2 },
    });
    s.schedule("c", 4);
    await s.idle("c");
    expect(s.isPending("c")).toBe(false);
    expect(tried).toEqual(["m0", "m0"]);
    s.schedule("d", 4);
    s.clearConversation("d");
    expect(s.isPending("d")).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(tried).toEqual(["m0", "m0"]);
  });
});
