import { afterEach, describe, expect, it, vi } from "vitest";
import { foldRunEvents, type RunState } from "@alma/protocol";
import { AlmaClient } from "./alma-client.js";
import { RunHandle } from "./run-handle.js";
import { fakeSockets, scriptedRunEvents } from "./testing/index.js";

const events = scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["Hel", "lo", "!"] });

describe("RunHandle state and subscribe", () => {
  it("is null until the run id is known, then the fold of every event it got", () => {
    const handle = new RunHandle(() => undefined);
    expect(handle.state).toBeNull();
    handle.bind("r1");
    expect(handle.state).toEqual(foldRunEvents({ runId: "r1" }, []));
    for (const event of events) handle.push(event);
    expect(handle.state).toEqual(foldRunEvents({ runId: "r1" }, events));
    expect(handle.state).toMatchObject({ text: "Hello!", conversationId: "c1", assistantMessageId: "assistant-1", status: "complete", lastIndex: 4 });
  });

  it("calls a listener at once when the state is known, after every event in order, and not after unsubscribe", () => {
    const handle = new RunHandle(() => undefined);
    const early: number[] = [];
    handle.subscribe((s) => early.push(s.lastIndex));
    expect(early).toEqual([]);
    handle.bind("r1");
    expect(early).toEqual([-1]);
    handle.push(events[0]!);
    const late: string[] = [];
    const off = handle.subscribe((s) => late.push(s.text));
    expect(late).toEqual([""]);
    handle.push(events[1]!);
    off();
    handle.push(events[2]!);
    expect(early).toEqual([-1, 0, 1, 2]);
    expect(late).toEqual(["", "Hel"]);
  });

  it("a listener that throws does not stop the others or the stream", () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const handle = new RunHandle(() => undefined);
      handle.bind("r1");
      const seen: number[] = [];
      handle.subscribe(() => {
        throw new Error("a bug in one view");
      });
      handle.subscribe((s) => seen.push(s.lastIndex));
      for (const event of events) handle.push(event);
      expect(seen).toEqual([-1, 0, 1, 2, 3, 4]);
      expect(handle.events).toHaveLength(events.length);
      expect(logged).toHaveBeenCalled();
    } finally {
      logged.mockRestore();
    }
  });
});

describe("AlmaClient.resume with a seed state", () => {
  const sockets = fakeSockets();
  const clients: AlmaClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    sockets.all.length = 0;
  });

  async function open() {
    const client = new AlmaClient({ WebSocket: sockets.WebSocket, reconnect: false });
    clients.push(client);
    const connected = client.connect("ws://alma.test/ws");
    sockets.last().open();
    sockets.last().welcome();
    await connected;
    return { client, socket: sockets.last() };
  }

  it("starts from the seed (history's activeRun.state) and folds only the events after afterIndex", async () => {
    const { client, socket } = await open();
    const seed: RunState = foldRunEvents({ runId: "r1" }, events.slice(0, 3));
    const states: RunState[] = [];
    const handle = client.resume("r1", 2, seed);
    handle.subscribe((s) => states.push(s));
    expect(handle.state).toBe(seed);
    expect(socket.frames).toEqual([{ type: "run.resume", runId: "r1", afterIndex: 2 }]);
    // the server may repeat what the seed already holds: it is not folded twice
    for (const event of events.slice(1)) socket.reply(event);
    await handle.done;
    expect(handle.events.map((e) => e.index)).toEqual([3, 4]);
    expect(handle.state).toEqual(foldRunEvents({ runId: "r1" }, events));
    expect(states.map((s) => [s.lastIndex, s.text])).toEqual([
      [2, "Hello"],
      [3, "Hello!"],
      [4, "Hello!"],
    ]);
  });

  it("without a seed, the state starts empty at afterIndex", async () => {
    const { client } = await open();
    expect(client.resume("r1", 3).state).toMatchObject({ runId: "r1", lastIndex: 3, text: "" });
  });

  it("refuses a seed of another run or another index", async () => {
    const { client } = await open();
    const seed = foldRunEvents({ runId: "r1" }, events.slice(0, 3));
    expect(() => client.resume("r2", 2, seed)).toThrow(expect.objectContaining({ code: "invalid_input" }));
    expect(() => client.resume("r1", 1, seed)).toThrow(expect.objectContaining({ code: "invalid_input" }));
  });
});
