import { afterEach, describe, expect, it } from "vitest";
import { AlmaClient } from "./alma-client.js";
import type { ConnectionState } from "./connection-state.js";
import { originRefusalOf } from "./origin-refusal.js";
import { fakeSockets, type FakeSocket } from "./testing/index.js";

const sockets = fakeSockets();
const clients: AlmaClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  sockets.all.length = 0;
});

const URL = "ws://alma.test/ws";
const REFUSED = "forbidden_origin: http://192.168.1.5:3000 is not in ALMA_ALLOWED_ORIGINS";
const flush = () => new Promise((resolve) => setTimeout(resolve, 20));

/** a client whose reconnects come at once: a retry loop would open socket after socket within the test */
function fastClient() {
  const client = new AlmaClient({ WebSocket: sockets.WebSocket, reconnect: { initialDelayMs: 0, maxDelayMs: 0, jitter: 0 } });
  clients.push(client);
  const states: ConnectionState[] = [];
  client.on("state", (s) => states.push(s));
  return { client, states };
}

/** the server accepts the upgrade, then closes at once, as it does for an origin not in ALMA_ALLOWED_ORIGINS */
function refuse(socket: FakeSocket, reason = REFUSED) {
  socket.open();
  socket.close(1008, reason);
}

describe("originRefusalOf", () => {
  it("reads the server's refusal of the origin, with or without the origin in the reason", () => {
    const named = originRefusalOf({ code: 1008, reason: REFUSED }, URL);
    expect(named).toMatchObject({ code: "forbidden_origin", retryable: false });
    expect(named?.message).toContain("http://192.168.1.5:3000");
    expect(named?.message).toContain("ALMA_ALLOWED_ORIGINS");
    expect(named?.message).toContain(URL);
    const unnamed = originRefusalOf({ code: 1008, reason: "forbidden_origin: this origin is not in ALMA_ALLOWED_ORIGINS" }, URL);
    expect(unnamed).toMatchObject({ code: "forbidden_origin" });
    expect(unnamed?.message).toContain("refused this page's address: it is not in");
  });

  it("is not fooled by other closes: another policy close, another code with the same reason, a dropped socket", () => {
    expect(originRefusalOf({ code: 1008, reason: "no hello received in time" }, URL)).toBeNull();
    expect(originRefusalOf({ code: 1008, reason: "unauthorized" }, URL)).toBeNull();
    expect(originRefusalOf({ code: 1011, reason: REFUSED }, URL)).toBeNull();
    expect(originRefusalOf({ code: 1006, reason: "" }, URL)).toBeNull();
  });
});

describe("a refused origin", () => {
  it("fails the first connect for good, with retry on: one socket, no retry loop, closed with the reason", async () => {
    const { client, states } = fastClient();
    const connected = client.connect(URL, { retry: true });
    refuse(sockets.last());
    await expect(connected).rejects.toMatchObject({ code: "forbidden_origin", message: expect.stringContaining("http://192.168.1.5:3000") });
    await flush();
    expect(sockets.all).toHaveLength(1);
    expect(client.state).toMatchObject({ status: "closed", error: { code: "forbidden_origin" } });
    expect(states.map((s) => s.status)).toEqual(["connecting", "closed"]);
  });

  it("fails queued messages with the reason instead of holding them", async () => {
    const { client } = fastClient();
    const connected = client.connect(URL, { retry: true }).catch(() => undefined);
    const handle = client.send("hello?");
    refuse(sockets.last());
    await connected;
    await expect(handle.done).rejects.toMatchObject({ message: expect.stringContaining("ALMA_ALLOWED_ORIGINS") });
  });

  it("stops a reconnect loop: a server restarted with a narrower allow-list is not retried in a loop", async () => {
    const { client } = fastClient();
    const connected = client.connect(URL);
    sockets.last().open();
    sockets.last().welcome();
    await connected;
    sockets.last().fail();
    // the reconnect's socket is refused
    await flush();
    expect(sockets.all).toHaveLength(2);
    refuse(sockets.last());
    await flush();
    expect(sockets.all).toHaveLength(2);
    expect(client.state).toMatchObject({ status: "closed", error: { code: "forbidden_origin" } });
  });

  it("can be tried again by hand: connect() opens one new socket", async () => {
    const { client } = fastClient();
    const refused = client.connect(URL, { retry: true }).catch(() => undefined);
    refuse(sockets.last());
    await refused;
    const again = client.connect(URL, { retry: true });
    expect(sockets.all).toHaveLength(2);
    sockets.last().open();
    sockets.last().welcome();
    await again;
    expect(client.state.status).toBe("open");
  });

  it("still retries a socket closed with 1008 for another reason", async () => {
    const { client } = fastClient();
    const connected = client.connect(URL, { retry: true });
    refuse(sockets.last(), "no hello received in time");
    await flush();
    expect(sockets.all.length).toBeGreaterThanOrEqual(2);
    sockets.last().open();
    sockets.last().welcome();
    await connected;
    expect(client.state.status).toBe("open");
  });
});
