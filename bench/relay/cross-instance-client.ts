import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import { nowMs } from "../lib/hrtime.js";
import { openSocket, SampleBuilder, type StreamClient, type StreamSample } from "./stream-clients.js";

/**
 * alma on two instances sharing one Redis and one database, as a load balancer without stickiness gives it half the
 * time: the tab that sends is on instance A (which runs the answer), the tab that is measured is on instance B and
 * gets every frame of the answer through Redis. Each answer is in a new conversation: A creates it with a one-token
 * answer, B opens it (conversation.history: B now follows the conversation), then A sends the measured message into
 * it and B's tab is told of it and streams its answer live. Only B's frames are measured; A's tab stays open.
 */
const options = { taskType: "creative", bypassCache: true, temperature: 0 } as const;

async function handshake(ws: WebSocket): Promise<void> {
  const welcome = new Promise<void>((resolve, reject) => {
    ws.once("message", (data: Buffer) => {
      const text = data.toString();
      if (text.includes('"type":"welcome"')) resolve();
      else reject(new Error(`alma refused the handshake: ${text.slice(0, 300)}`));
    });
  });
  ws.send(JSON.stringify({ type: "hello", protocolVersion: 1, client: "alma-bench" }));
  await welcome;
}

/** Resolves with the first parsed frame `match` accepts; a run.error or error frame fails it. */
function waitFrame<T = Record<string, unknown>>(ws: WebSocket, what: string, match: (f: Record<string, unknown>) => boolean, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => {
      clearTimeout(timer);
      ws.off("message", onMessage);
      fn();
    };
    const timer = setTimeout(() => done(() => reject(new Error(`no ${what} within ${timeoutMs} ms`))), timeoutMs);
    const onMessage = (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('{"type":"run.token"')) return;
      const frame = JSON.parse(text) as Record<string, unknown>;
      if (frame.type === "run.error" || frame.type === "error")
        done(() => reject(new Error(`alma answered ${frame.type} while waiting for ${what}: ${text.slice(0, 500)}`)));
      else if (match(frame)) done(() => resolve(frame as T));
    };
    ws.on("message", onMessage);
  });
}

export async function crossInstanceClient(writerUrl: string, viewerUrl: string): Promise<StreamClient> {
  const [writer, viewer] = await Promise.all([openSocket(writerUrl), openSocket(viewerUrl)]);
  await Promise.all([handshake(writer), handshake(viewer)]);

  /** sends on A; resolves with the run's ids once A has accepted it */
  const sendOnWriter = async (content: string, conversationId: string | null) => {
    const clientMessageId = randomUUID();
    const accepted = waitFrame<{ runId: string; conversationId: string }>(
      writer,
      "message.accepted",
      (f) => f.type === "message.accepted" && f.clientMessageId === clientMessageId,
    );
    writer.send(JSON.stringify({ type: "message.send", clientMessageId, conversationId, content, options }));
    return accepted;
  };

  return {
    name: "alma, viewer on the other instance",
    async stream(content: string): Promise<StreamSample> {
      // the conversation, created on A with a one-token answer, then opened on B
      const setup = await sendOnWriter("n=1 rate=0", null);
      await waitFrame(writer, "the setup answer's run.completed", (f) => f.type === "run.completed" && f.runId === setup.runId);
      const requestId = randomUUID();
      const opened = waitFrame(viewer, "conversation.history.result", (f) => f.type === "conversation.history.result" && f.requestId === requestId);
      viewer.send(JSON.stringify({ type: "conversation.history", requestId, conversationId: setup.conversationId }));
      await opened;

      // the sample's clock starts here, just before the send: its TTFT includes A's accept and the hop through Redis
      const sample = new SampleBuilder();
      const measured = new Promise<StreamSample>((resolve, reject) => {
        const onMessage = (data: Buffer) => {
          const receivedAt = nowMs();
          const text = data.toString();
          if (text.startsWith('{"type":"run.token"')) {
            sample.take(text, receivedAt);
            return;
          }
          const frame = JSON.parse(text) as { type: string };
          if (frame.type === "run.completed" || frame.type === "run.error" || frame.type === "error") {
            viewer.off("message", onMessage);
            if (frame.type !== "run.completed") return reject(new Error(`the viewer on the other instance got ${frame.type}: ${text.slice(0, 500)}`));
            try {
              resolve(sample.finish());
            } catch (e) {
              reject(e);
            }
          }
        };
        viewer.on("message", onMessage);
      });
      const run = await sendOnWriter(content, setup.conversationId);
      const writerDone = waitFrame(
        writer,
        "run.completed on the instance running the answer",
        (f) => f.type === "run.completed" && f.runId === run.runId,
        120_000,
      );
      const [result] = await Promise.all([measured, writerDone]);
      return result;
    },
    async close() {
      writer.close();
      viewer.close();
    },
  };
}
