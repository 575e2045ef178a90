import { WebSocketServer, type WebSocket } from "ws";
import { PROTOCOL_VERSION, parseClientFrame, type ClientFrame, type ServerFrame, type ServerFrameOf } from "@alma/protocol";
import { welcomeFrame } from "./frame-factory.js";

export interface FakeConnection {
  readonly id: number;
  /** every valid client frame after the handshake, in order */
  readonly frames: ClientFrame[];
  send(frame: ServerFrame | string): void;
  /** drops the TCP connection without a close handshake, as a network blip does */
  terminate(): void;
  close(code?: number): void;
}

export interface FakeAlmaServerOptions {
  /** called for each valid frame after the handshake */
  onFrame?: (frame: ClientFrame, connection: FakeConnection) => void;
  /** when set, `hello` must carry this token */
  token?: string;
  /** the protocol version the fake speaks (to test a mismatch) */
  protocolVersion?: number;
  /** the welcome frame to send (connectionId is filled in per connection unless given) */
  welcome?: ServerFrameOf<"welcome">;
}

export interface FakeAlmaServer {
  readonly url: string;
  readonly port: number;
  readonly connections: FakeConnection[];
  /** resolves with the next frame of that type (on any connection), or one already received and not yet taken */
  nextFrame<T extends ClientFrame["type"]>(type: T): Promise<{ frame: Extract<ClientFrame, { type: T }>; connection: FakeConnection }>;
  /** resolves when the n-th connection (1-based) has completed its handshake */
  connection(n: number): Promise<FakeConnection>;
  close(): Promise<void>;
}

/** A scripted alma protocol server for tests: it does the handshake and hands every other frame to the test. */
export async function startFakeAlmaServer(options: FakeAlmaServerOptions = {}): Promise<FakeAlmaServer> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/ws" });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const address = wss.address();
  if (!address || typeof address === "string") throw new Error("expected a TCP address");
  const connections: FakeConnection[] = [];
  const untaken: { frame: ClientFrame; connection: FakeConnection }[] = [];
  const frameWaiters: { type: string; resolve: (value: { frame: ClientFrame; connection: FakeConnection }) => void }[] = [];
  const connectionWaiters: { n: number; resolve: (c: FakeConnection) => void }[] = [];
  const version = options.protocolVersion ?? PROTOCOL_VERSION;
  let nextId = 1;

  wss.on("connection", (socket: WebSocket) => {
    let connection: FakeConnection | null = null;
    const self: FakeConnection = {
      id: nextId++,
      frames: [],
      send: (frame) => socket.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
      terminate: () => socket.terminate(),
      close: (code = 1000) => socket.close(code),
    };
    socket.on("message", (data, isBinary) => {
      if (isBinary) return;
      const parsed = parseClientFrame(String(data));
      if (!parsed.ok) {
        socket.send(JSON.stringify(parsed.error));
        return;
      }
      const frame = parsed.frame;
      if (!connection) {
        if (frame.type !== "hello") {
          socket.send(JSON.stringify({ type: "error", code: "handshake_required", message: "Send hello first.", retryable: false, frameType: frame.type }));
          return;
        }
        if (frame.protocolVersion !== version) {
          socket.send(
            JSON.stringify({
              type: "error",
              code: "unsupported_version",
              message: `This server speaks protocol version ${version}; update the client.`,
              retryable: false,
              frameType: "hello",
            }),
          );
          socket.close(1008);
          return;
        }
        if (options.token !== undefined && frame.token !== options.token) {
          socket.send(
            JSON.stringify({ type: "error", code: "unauthorized", message: "A valid access token is required.", retryable: false, frameType: "hello" }),
          );
          socket.close(1008);
          return;
        }
        connection = self;
        connections.push(self);
        socket.send(JSON.stringify(options.welcome ?? welcomeFrame({ connectionId: `conn-${self.id}`, protocolVersion: version })));
        for (const waiter of connectionWaiters.filter((w) => w.n === connections.length)) waiter.resolve(self);
        return;
      }
      self.frames.push(frame);
      const index = frameWaiters.findIndex((w) => w.type === frame.type);
      if (index >= 0) frameWaiters.splice(index, 1)[0]!.resolve({ frame, connection: self });
      else untaken.push({ frame, connection: self });
      options.onFrame?.(frame, self);
    });
  });

  return {
    url: `ws://127.0.0.1:${address.port}/ws`,
    port: address.port,
    connections,
    nextFrame(type) {
      const index = untaken.findIndex((u) => u.frame.type === type);
      if (index >= 0) return Promise.resolve(untaken.splice(index, 1)[0] as never);
      return new Promise((resolve) => frameWaiters.push({ type, resolve: resolve as never }));
    },
    connection(n) {
      const existing = connections[n - 1];
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve) => connectionWaiters.push({ n, resolve }));
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
