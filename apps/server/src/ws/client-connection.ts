import { randomUUID } from "node:crypto";
import { secretMatches } from "../security/secret-matches.js";
import type { Socket } from "node:net";
import type { FastifyBaseLogger } from "fastify";
import type { WebSocket } from "ws";
import { MAX_MESSAGE_CHARS, PROTOCOL_VERSION, parseClientFrame, type ClientFrame, type ModelStatus, type ServerFrame } from "@alma/protocol";
import type { ChatClient } from "../chat/chat-client.js";
import type { ChatService } from "../chat/chat-service.js";
import { RequestError } from "../chat/request-error.js";
import { StoreError } from "@alma/store";

/** Above this many unsent bytes a socket counts as slow: runs hold its events back instead of queueing them. */
const SEND_HIGH_WATER_BYTES = 1024 * 1024;

export interface ConnectionOptions {
  socket: WebSocket;
  address: string;
  service: ChatService;
  log: FastifyBaseLogger;
  authToken: string | null;
  handshakeTimeoutMs: number;
  maxFrameBytes: number;
  maxRunsPerConnection: number;
  serverVersion: string;
  now: () => number;
  modelStatus: () => ModelStatus;
  onMetricsSubscription: (connection: ClientConnection, enabled: boolean) => void;
}

function uncork(socket: Socket): void {
  socket.uncork();
}

type Correlation = { clientMessageId?: string; runId?: string };

/** What an error about this frame names, so a client can tell which message or run it concerns. */
function correlationOf(frame: ClientFrame): Correlation {
  switch (frame.type) {
    case "message.send":
    case "message.edit":
      return { clientMessageId: frame.clientMessageId };
    case "run.stop":
    case "run.resume":
      return { runId: frame.runId };
    default:
      return {};
  }
}

/** The same for a frame that failed validation: its ids are echoed when they are readable strings of sane length. */
function correlationOfRaw(text: string): Correlation {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof json !== "object" || json === null) return {};
  const { type, clientMessageId, runId } = json as Record<string, unknown>;
  const ok = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= 128;
  if ((type === "message.send" || type === "message.edit") && ok(clientMessageId)) return { clientMessageId };
  if ((type === "run.stop" || type === "run.resume") && ok(runId)) return { runId };
  return {};
}

/** One WebSocket: the handshake, frame validation and dispatch to the chat service. */
export class ClientConnection implements ChatClient {
  readonly id = randomUUID();
  readonly address: string;
  private welcomed = false;
  private readonly handshakeTimer: NodeJS.Timeout;
  private readonly o: ConnectionOptions;
  private readonly log: FastifyBaseLogger;
  /** the frames of this socket are handled one after another, in the order they came, though the store is async */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: ConnectionOptions) {
    this.o = options;
    this.address = options.address;
    this.log = options.log.child({ connectionId: this.id });
    this.handshakeTimer = setTimeout(() => {
      if (!this.welcomed) this.close(1008, "no hello received in time");
    }, options.handshakeTimeoutMs);
    this.handshakeTimer.unref();
    options.socket.on("message", (data, isBinary) => this.onMessage(data as Buffer | ArrayBuffer | Buffer[], isBinary));
    options.socket.on("close", () => clearTimeout(this.handshakeTimer));
  }

  get isWelcomed(): boolean {
    return this.welcomed;
  }

  /** bytes queued on the socket, not yet handed to the network */
  get bufferedAmount(): number {
    return this.o.socket.bufferedAmount;
  }

  ready(): boolean {
    return this.o.socket.bufferedAmount < SEND_HIGH_WATER_BYTES;
  }

  send(frame: ServerFrame): void {
    const ws = this.o.socket;
    if (ws.readyState !== ws.OPEN) return;
    // The frames made in one tick (the deltas of one upstream read, run events) leave in one writev instead of a
    // syscall each, which was the largest cost per token. Nothing waits for a timer: the uncork runs in this same
    // tick. Corked bytes still count in bufferedAmount, so the backpressure check sees them.
    const raw = (ws as unknown as { _socket?: Socket })._socket;
    if (raw && raw.writableCorked === 0 && !raw.destroyed) {
      raw.cork();
      process.nextTick(uncork, raw);
    }
    ws.send(JSON.stringify(frame));
  }

  overflowed(runId: string, missedFromIndex: number): void {
    this.send({
      type: "error",
      code: "stream_interrupted",
      runId,
      message: `This connection fell too far behind run ${runId} (from event ${missedFromIndex}). Load the conversation's history; the answer is stored when it ends.`,
      retryable: true,
    });
  }

  close(code: number, reason: string): void {
    this.o.socket.close(code, reason);
  }

  private onMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    const receivedAt = this.o.now();
    // the answers leave in the order the frames came, refusals of unreadable frames included
    this.queue = this.queue.then(() => this.receive(data, isBinary, receivedAt)).catch((err: unknown) => this.log.error({ err }, "could not handle a frame"));
  }

  private async receive(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean, receivedAt: number): Promise<void> {
    if (isBinary) {
      this.send({ type: "error", code: "binary_frame", message: "Binary frames are not supported; send JSON text frames.", retryable: false });
      this.close(1003, "binary frames are not supported");
      return;
    }
    const text = Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.from(data as ArrayBuffer).toString("utf8");
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      this.send({ ...parsed.error, ...correlationOfRaw(text) });
      return;
    }
    await this.handle(parsed.frame, receivedAt);
  }

  /** resolves when every frame received so far has been handled (tests, shutdown) */
  idle(): Promise<void> {
    return this.queue;
  }

  /** one frame, its refusal or failure answered as an error frame: never rejects, so the queue goes on */
  private async handle(frame: ClientFrame, receivedAt: number): Promise<void> {
    try {
      await this.dispatch(frame, receivedAt);
    } catch (caught) {
      const requestId = "requestId" in frame ? frame.requestId : undefined;
      const correlation = correlationOf(frame);
      // the store refuses what a concurrent request changed (a conversation deleted meanwhile)
      const err = caught instanceof StoreError ? new RequestError(caught.code, `${caught.message} Reload and try again.`) : caught;
      if (err instanceof RequestError) {
        this.send({
          type: "error",
          code: err.code,
          message: err.message,
          retryable: err.retryable,
          frameType: frame.type,
          ...(requestId !== undefined ? { requestId } : {}),
          ...correlation,
          ...(err.retryAfterMs !== undefined ? { retryAfterMs: Math.ceil(err.retryAfterMs) } : {}),
        });
        return;
      }
      this.log.error({ err, frameType: frame.type }, "frame handler failed");
      this.send({
        type: "error",
        code: "internal",
        message: "The server could not handle that request. Try again; if it keeps failing, check the server log.",
        retryable: true,
        frameType: frame.type,
        ...(requestId !== undefined ? { requestId } : {}),
        ...correlation,
      });
    }
  }

  private async dispatch(frame: ClientFrame, receivedAt: number): Promise<void> {
    if (frame.type === "hello") {
      this.hello(frame);
      return;
    }
    if (!this.welcomed) {
      throw new RequestError("handshake_required", `Send a "hello" frame with protocolVersion ${PROTOCOL_VERSION} first.`);
    }
    const { runs, conversations, pins } = this.o.service;
    switch (frame.type) {
      case "message.send":
        await runs.send(this, frame, receivedAt);
        return;
      case "message.edit":
        await runs.edit(this, frame, receivedAt);
        return;
      case "run.regenerate":
        await runs.regenerate(this, frame, receivedAt);
        return;
      case "run.continue":
        await runs.continue(this, frame, receivedAt);
        return;
      case "run.stop":
        await runs.stop(frame);
        return;
      case "run.resume":
        await runs.resume(this, frame);
        return;
      case "conversation.list":
        this.send(await conversations.list(frame));
        return;
      case "conversation.history":
        this.send(await conversations.history(this, frame));
        return;
      case "conversation.rename":
        await conversations.rename(frame);
        return;
      case "conversation.delete":
        await conversations.delete(frame);
        return;
      case "conversation.restore":
        await conversations.restore(frame);
        return;
      case "memory.pin":
        this.send(await pins.pin(this, frame));
        return;
      case "memory.unpin":
        this.send(await pins.unpin(this, frame));
        return;
      case "metrics.subscribe":
        this.o.onMetricsSubscription(this, frame.enabled);
        return;
      case "ping":
        this.send({ type: "pong", ...(frame.at !== undefined ? { at: frame.at } : {}), serverTime: this.o.now() });
        return;
    }
  }

  private hello(frame: Extract<ClientFrame, { type: "hello" }>): void {
    if (frame.protocolVersion !== PROTOCOL_VERSION) {
      this.send({
        type: "error",
        code: "unsupported_version",
        message: `This server speaks protocol version ${PROTOCOL_VERSION}, the client ${frame.protocolVersion}. Update the client (reload the page).`,
        retryable: false,
        frameType: "hello",
      });
      this.close(1002, "unsupported protocol version");
      return;
    }
    if (this.o.authToken !== null && !secretMatches(this.o.authToken, frame.token)) {
      this.send({
        type: "error",
        code: "unauthorized",
        message: "This server requires an access token: set the token the server was started with (ALMA_AUTH_TOKEN) in the client.",
        retryable: false,
        frameType: "hello",
      });
      this.close(1008, "unauthorized");
      return;
    }
    this.welcomed = true;
    clearTimeout(this.handshakeTimer);
    this.send({
      type: "welcome",
      protocolVersion: PROTOCOL_VERSION,
      serverVersion: this.o.serverVersion,
      connectionId: this.id,
      model: this.o.modelStatus(),
      limits: {
        maxFrameBytes: this.o.maxFrameBytes,
        maxMessageChars: MAX_MESSAGE_CHARS,
        maxConcurrentRunsPerConnection: this.o.maxRunsPerConnection,
      },
    });
  }
}
