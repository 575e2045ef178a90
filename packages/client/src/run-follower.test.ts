import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { foldRunEvents, type ClientFrame, type RunEvent } from "@alma/protocol";
import { AlmaClient } from "./alma-client.js";
import type { RunHandle } from "./run-handle.js";
import { WEBSOCKET_OPEN } from "./websocket-like.js";
import { fakeSockets, mixedRunEvents, type FakeSocket, type RunEventKind } from "./testing/index.js";

const clients: AlmaClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

/** A small PRNG, so each fast-check case replays the same server behaviour from its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

interface Scenario {
  events: RunEvent[];
  /** where the server drops the connection: -2 before the ack, -1 after the ack, i after sending event i (each once) */
  drops: number[];
  seed: number;
  /** join mid-run as a late viewer does: resume after this index with the run's state there, instead of sending */
  joinAfter: number | null;
}

interface Outcome {
  handle: RunHandle;
  sockets: FakeSocket[];
  dropsLeft: Set<number>;
  /** run.resume frames whose afterIndex was not the last index the client had when it wrote them */
  badResumes: string[];
  sends: Extract<ClientFrame, { type: "message.send" }>[];
}

/**
 * Plays a server that replays a run on every run.resume — sometimes from a little before what was asked (events the
 * client already has), sometimes with two events swapped (one arrives ahead of a gap), once leaving one out (a gap
 * only a run.resume fills) — and drops the connection at the given points. Resolves when the handle is done.
 */
async function play({ events, drops, seed, joinAfter }: Scenario): Promise<Outcome> {
  const random = prng(seed);
  const dropsLeft = new Set(drops);
  const badResumes: string[] = [];
  const sends: Outcome["sends"] = [];
  let handle: RunHandle | null = null;
  let lose = true;
  const drop = (socket: FakeSocket, at: number) => {
    // a socket already dropped delivers nothing, so nothing drops on it again
    if (socket.readyState !== WEBSOCKET_OPEN || !dropsLeft.delete(at)) return false;
    socket.fail();
    return true;
  };
  const stream = (socket: FakeSocket, from: number, answering: boolean) => {
    if (socket.readyState !== WEBSOCKET_OPEN) return;
    const start = random() < 0.3 ? Math.max(0, from - 1 - Math.floor(random() * 3)) : from;
    const order = events.slice(start).map((e) => e.index);
    if (order.length > 2 && random() < 0.4) {
      const i = Math.floor(random() * (order.length - 1));
      [order[i], order[i + 1]] = [order[i + 1]!, order[i]!];
    }
    // once per run, an event goes missing from a stream: only the client's run.resume for the gap brings it. (Not the
    // first event a replay was asked for: a replay has no holes, so the client asks once per gap, not per repeat.)
    const at = Math.floor(random() * (order.length - 2));
    if (lose && order.length > 2 && random() < 0.5 && !(answering && order[at] === from)) {
      lose = false;
      order.splice(at, 1);
    }
    for (const index of order) {
      socket.reply(events[index]!);
      if (drop(socket, index)) return;
    }
  };
  const sockets = fakeSockets({
    serve(frame, socket) {
      if (frame.type === "message.send") {
        sends.push(frame);
        if (drop(socket, -2)) return;
        socket.reply({
          type: "message.accepted",
          clientMessageId: frame.clientMessageId,
          conversationId: "c1",
          userMessageId: "u1",
          runId: "r1",
          duplicate: sends.length > 1,
        });
        if (drop(socket, -1)) return;
        stream(socket, 0, false);
      } else if (frame.type === "run.resume") stream(socket, frame.afterIndex + 1, true);
    },
    // what the client has when it writes a run.resume must be exactly what it asks after
    onWrite(frame) {
      const has = handle?.events.at(-1)?.index ?? joinAfter ?? -1;
      if (frame.type === "run.resume" && frame.afterIndex !== has) badResumes.push(`asked after ${frame.afterIndex} with ${has}`);
    },
  });
  const client = new AlmaClient({ WebSocket: sockets.WebSocket, reconnect: { initialDelayMs: 0, maxDelayMs: 0, jitter: 0 }, createId: () => "m1" });
  clients.push(client);
  void client.connect("ws://alma.test/ws");
  handle =
    joinAfter === null
      ? client.send("go", { conversationId: null })
      : client.resume("r1", joinAfter, foldRunEvents({ runId: "r1" }, events.slice(0, joinAfter + 1)));
  const stuck = new Promise<never>((_, reject) => {
    const timer = setTimeout(() => {
      const writes = sockets.all.map((sk) => sk.frames.map((f) => (f.type === "run.resume" ? `resume>${f.afterIndex}` : f.type)).join(","));
      reject(new Error(`stuck with ${handle!.events.length} of ${events.length} events; state ${client.state.status}; writes ${writes.join(" | ")}`));
    }, 1000);
    void handle!.done.finally(() => clearTimeout(timer)).catch(() => undefined);
  });
  await Promise.race([handle.done, stuck]);
  // a drop right after the last event reconnects once more: let it, so every drop shows as a connection
  for (let i = 0; i < 100 && sockets.all.length < 1 + drops.length; i++) await new Promise((r) => setTimeout(r, 1));
  return { handle, sockets: sockets.all, dropsLeft, badResumes, sends };
}

function expectWhole(outcome: Outcome, scenario: Scenario): void {
  const { events, drops, joinAfter } = scenario;
  const from = joinAfter === null ? 0 : joinAfter + 1;
  expect(outcome.handle.events.map((e) => e.index)).toEqual(events.slice(from).map((e) => e.index));
  expect(outcome.handle.state).toEqual(foldRunEvents({ runId: "r1" }, events));
  expect(outcome.badResumes).toEqual([]);
  // every drop happened, each on its own connection
  expect([...outcome.dropsLeft]).toEqual([]);
  expect(outcome.sockets).toHaveLength(1 + drops.length);
  // a message resent after a drop before its ack keeps its id, so the server dedupes it
  expect(new Set(outcome.sends.map((s) => s.clientMessageId)).size).toBeLessThanOrEqual(1);
}

const kinds: RunEventKind[] = ["plan", "plan", "start", "token", "token", "progress", "end", "start", "token", "plan", "end", "token", "token"];

describe("RunFollower through the client, with a fake socket that drops", () => {
  const events = mixedRunEvents({ runId: "r1", conversationId: "c1", kinds, end: "completed" });

  it("resumes without a gap or a duplicate when the connection drops at any single point of the run", async () => {
    for (let at = -2; at < events.length; at++) {
      const scenario: Scenario = { events, drops: [at], seed: at + 3, joinAfter: null };
      expectWhole(await play(scenario), scenario);
    }
  });

  it("holds what arrives ahead of a gap, fills it, and folds the same state as the whole run", async () => {
    const scenario: Scenario = { events, drops: [], seed: 7, joinAfter: null };
    expectWhole(await play(scenario), scenario);
  });

  it("a late joiner seeded with the run's state at lastIndex ends with the state of the whole run", async () => {
    for (const joinAfter of [0, 4, events.length - 2]) {
      const scenario: Scenario = { events, drops: [joinAfter + 1], seed: joinAfter, joinAfter };
      expectWhole(await play(scenario), scenario);
    }
  });

  it("property: any run, several drops anywhere, replays that repeat and reorder — every event once, in order, and the fold of them all", async () => {
    const kind = fc.constantFrom<RunEventKind>("plan", "start", "end", "token", "token", "progress");
    const scenarios = fc
      .record({ kinds: fc.array(kind, { maxLength: 24 }), end: fc.constantFrom<"completed" | "error">("completed", "error"), seed: fc.integer() })
      .chain(({ kinds, end, seed }) => {
        const events = mixedRunEvents({ runId: "r1", conversationId: "c1", kinds, end });
        return fc.record({
          events: fc.constant(events),
          drops: fc.uniqueArray(fc.integer({ min: -2, max: events.length - 1 }), { maxLength: 6 }),
          seed: fc.constant(seed),
          joinAfter: fc.option(fc.integer({ min: 0, max: events.length - 2 }), { freq: 4 }),
        });
      })
      // a late joiner has no ack to lose
      .map((s) => (s.joinAfter === null ? s : { ...s, drops: s.drops.filter((d) => d > s.joinAfter!) }));
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        expectWhole(await play(scenario), scenario);
        for (const client of clients.splice(0)) client.close();
      }),
      { numRuns: 150 },
    );
  });
});
