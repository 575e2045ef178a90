import { WebSocket } from "ws";
import { foldRunEvents, type RunEvent } from "@alma/protocol";
import { AlmaClient } from "../alma-client.js";
import type { AlmaClientOptions } from "../client-options.js";
import { startFakeAlmaServer, type FakeAlmaServer, type FakeAlmaServerOptions } from "./fake-alma-server.js";

/**
 * The client's tests against a real WebSocket server (the scripted fake): `setup()` starts one and a client,
 * `cleanup()` (in afterEach) closes them all. Not exported from @alma/client/testing.
 */
export function realServerHarness() {
  const servers: FakeAlmaServer[] = [];
  const clients: AlmaClient[] = [];
  return {
    clients,
    servers,
    async setup(options: FakeAlmaServerOptions = {}, clientOptions: AlmaClientOptions = {}) {
      const server = await startFakeAlmaServer(options);
      servers.push(server);
      const client = new AlmaClient({ WebSocket, reconnect: { initialDelayMs: 10, maxDelayMs: 50 }, ...clientOptions });
      clients.push(client);
      return { server, client };
    },
    async cleanup() {
      for (const client of clients.splice(0)) client.close();
      for (const server of servers.splice(0)) await server.close();
    },
  };
}

/** The protocol's fold of a handle's events: the answer, the tokens, and any gap or repeat in index or seq. */
export function folded(events: readonly RunEvent[]) {
  const state = foldRunEvents({ runId: events[0]?.runId ?? "none" }, events);
  const problems = [
    ...events.flatMap((e, i) => (e.index === i ? [] : [`event ${i} has index ${e.index}`])),
    ...events.filter((e) => e.type === "run.token").flatMap((e, i) => (e.seq === i ? [] : [`token ${i} has seq ${e.seq}`])),
  ];
  return { answer: state.text, tokenCount: state.tokens, problems, state };
}

export async function collect(iterable: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}
