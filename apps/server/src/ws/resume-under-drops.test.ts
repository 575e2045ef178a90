import { expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import type { RunEvent } from "@alma/protocol";
import { describeOnEachLiveRunPath } from "../testing/describe-on-each-live-run-path.js";

const REPLY = Array.from({ length: 3000 }, (_, i) => `t${i}`).join(" ");
const DROPS = 100;

/** deterministic pseudo-random numbers, so a failure can be replayed */
function seeded(seed: number) {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

describeOnEachLiveRunPath("resume under random socket drops", (path) => {
  it(`drops the socket ${DROPS} times at random points; every run's tokens are gap-free and duplicate-free`, async () => {
    const { first, second, servers } = await path.start({ model: new ScriptedChatModel({ reply: REPLY, tokensPerSecond: 4000 }) });
    const { app } = first;
    // no server holds the run any more (on Redis the owner is whichever instance took the message)
    const heldAnywhere = (runId: string) => servers.some((s) => s.app.alma.hub.get(runId) !== undefined);
    const random = seeded(42);
    const received = new Map<string, RunEvent[]>();
    const ended = new Set<string>();
    const finishedAway = new Set<string>();
    let current: string | null = null;
    let conversationId: string | null = null;
    let n = 0;

    for (let drop = 0; drop < DROPS; drop++) {
      // each reconnect lands on the other server of the two (the same one in-process)
      const c = await (drop % 2 === 0 ? first : second).connect();
      const mark = c.frames.length;
      if (current === null) {
        c.send({
          type: "message.send",
          clientMessageId: `m${n++}`,
          conversationId,
          content: "stream a lot",
          options: { taskType: "conversational", maxOutputTokens: 4000 },
        });
        const accepted = await c.waitFor("message.accepted");
        current = accepted.runId!;
        conversationId = accepted.conversationId;
        received.set(current, []);
      } else {
        const have = received.get(current)!;
        c.send({ type: "run.resume", runId: current, afterIndex: have.length - 1 });
      }
      const runId = current;
      const want = 1 + Math.floor(random() * 40);
      await Promise.race([
        c.waitFor("run.token", () => true, 10_000, mark + want).catch(() => undefined),
        c.waitForRunEnd(runId).catch(() => undefined),
        c.waitFor("error", () => true, 10_000, mark).catch(() => undefined),
      ]);
      c.terminate();
      if (c.of("error").length > 0) {
        // the run ended while this client was away: its answer is stored and must extend what we saw
        expect(c.of("error")[0]!.code).toBe("not_found");
        expect(heldAnywhere(runId)).toBe(false);
        finishedAway.add(runId);
        current = null;
        continue;
      }
      const events = c.frames.filter((f): f is RunEvent => "runId" in f && f.runId === runId && "index" in f);
      received.get(runId)!.push(...events);
      if (events.some((e) => e.type === "run.completed" || e.type === "run.error")) {
        ended.add(runId);
        current = null;
        await expect.poll(() => heldAnywhere(runId)).toBe(false);
      }
      await new Promise((r) => setTimeout(r, Math.floor(random() * 5)));
    }

    expect(received.size).toBeGreaterThan(0);
    for (const [runId, events] of received) {
      expect(
        events.map((e) => e.index),
        runId,
      ).toEqual(events.map((_, i) => i));
      const tokens = events.filter((e) => e.type === "run.token");
      expect(tokens.map((t) => t.seq)).toEqual(tokens.map((_, i) => i));
      const stored = (await app.alma.store.listMessages(conversationId!)).find((m) => m.runId === runId)!;
      if (ended.has(runId)) expect(stored.content).toBe(tokens.map((t) => t.text).join(""));
      if (finishedAway.has(runId)) expect(stored.content.startsWith(tokens.map((t) => t.text).join(""))).toBe(true);
    }
  }, 60_000);
});
