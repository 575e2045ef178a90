import WebSocket from "ws";
import { PROTOCOL_VERSION, parseServerFrame, type ClientFrameInput, type ServerFrame, type ServerFrameType } from "@alma/protocol";

/** A real WebSocket client for server tests: validates every frame it receives and can wait for one. */
export class WsTestClient {
  readonly frames: ServerFrame[] = [];
  readonly invalid: string[] = [];
  closeCode: number | null = null;
  private readonly waiters = new Set<() => void>();
  private readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      const parsed = parseServerFrame(data.toString());
      if (parsed.ok) this.frames.push(parsed.frame);
      else this.invalid.push(parsed.reason);
      for (const w of [...this.waiters]) w();
    });
    this.closed = new Promise((resolve) =>
      socket.on("close", (code) => {
        this.closeCode = code;
        for (const w of [...this.waiters]) w();
        resolve(code);
      }),
    );
  }

  static async connect(url: string, opts: { origin?: string; hello?: boolean; token?: string } = {}): Promise<WsTestClient> {
    const socket = new WebSocket(url, opts.origin ? { origin: opts.origin } : {});
    // listen before the socket opens: the server may send in the same packet as the upgrade response
    const client = new WsTestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
      socket.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    if (opts.hello !== false) {
      client.send({ type: "hello", protocolVersion: PROTOCOL_VERSION, ...(opts.token ? { token: opts.token } : {}) });
      await client.waitFor("welcome");
    }
    return client;
  }

  send(frame: ClientFrameInput | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  of<T extends ServerFrameType>(type: T): Array<Extract<ServerFrame, { type: T }>> {
    return this.frames.filter((f): f is Extract<ServerFrame, { type: T }> => f.type === type);
  }

  /** the first frame (at or after `from`) of this type matching `pred` */
  waitFor<T extends ServerFrameType>(
    type: T,
    pred: (f: Extract<ServerFrame, { type: T }>) => boolean = () => true,
    timeoutMs = 10_000,
    from = 0,
  ): Promise<Extract<ServerFrame, { type: T }>> {
    return new Promise((resolve, reject) => {
      // frames only grow: each check looks at the ones it has not seen, so long tests stay linear
      let seen = from;
      const check = () => {
        let hit: Extract<ServerFrame, { type: T }> | undefined;
        for (; seen < this.frames.length && !hit; seen++) {
          const f = this.frames[seen]!;
          if (f.type === type && pred(f as never)) hit = f as Extract<ServerFrame, { type: T }>;
        }
        if (hit) {
          done();
          resolve(hit);
        } else if (this.closeCode !== null) {
          done();
          reject(new Error(`socket closed (${this.closeCode}) before a ${type} frame; got: ${this.frames.map((f) => f.type).join(", ")}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${type} frame within ${timeoutMs} ms; got: ${this.frames.map((f) => f.type).join(", ")}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** the run's terminal event */
  waitForRunEnd(runId: string, timeoutMs = 15_000): Promise<ServerFrame> {
    return Promise.race([this.waitFor("run.completed", (f) => f.runId === runId, timeoutMs), this.waitFor("run.error", (f) => f.runId === runId, timeoutMs)]);
  }

  tokens(runId: string): Array<{ seq: number; index: number; text: string }> {
    return this.of("run.token").filter((t) => t.runId === runId);
  }

  waitClosed(): Promise<number> {
    return this.closed;
  }

  close(): void {
    this.socket.close();
  }

  terminate(): void {
    this.socket.terminate();
  }
}
