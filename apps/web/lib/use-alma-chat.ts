"use client";
import * as React from "react";
import { AlmaClient, createId, type ConnectionState, type RunHandle } from "@alma/client";
import type { Attachment, Conversation, ModelStatus, TaskTypeChoice } from "@alma/protocol";
import { chatReducer, initialChatState, streamingRunId, type ChatInput, type ChatState } from "./chat-state";
import { createFrameBatcher } from "./frame-batcher";
import { NOTHING_KNOWN, publishAvailability } from "./send-availability";
import { toMessageError } from "./to-message-error";

export { useSendAvailability, type SendAvailability } from "./send-availability";

export interface AlmaChat {
  client: AlmaClient | null;
  state: ChatState;
  connection: ConnectionState;
  model: ModelStatus | null;
  limits: { maxMessageChars: number } | null;
  streamingRunId: string | null;
  /** true once the socket has been open at least once (so a drop shows the banner, not the first connect) */
  everConnected: boolean;
  open(conversationId: string | null): void;
  /** sends a message, with the files uploaded for it (their ids go with it; the message shows them at once) */
  send(content: string, taskType: TaskTypeChoice, attachments?: readonly Attachment[]): void;
  /** the new chat's first file created this conversation: the page belongs to it now */
  adopt(conversation: Conversation): void;
  edit(messageId: string, content: string, taskType: TaskTypeChoice): void;
  regenerate(taskType: TaskTypeChoice): void;
  continueMessage(messageId: string): void;
  retry(): void;
  stop(): void;
  dismissNotice(): void;
  reconnectNow(): void;
}

/**
 * The page's reconnect backoff: capped at 2 s (the client's default reaches 10 s), so a page that waited for a
 * server still starting, or one restarted, is back within about 2 s of the server being up. One browser tab
 * against its own server: retrying that often costs nothing.
 */
export const WEB_RECONNECT = { maxDelayMs: 2_000 } as const;

/**
 * Owns one AlmaClient per page: every server frame goes through a per-animation-frame batcher into the
 * chat reducer, so a fast stream renders at most once per frame.
 */
export function useAlmaChat(serverUrl: string, initialConversationId: string | null): AlmaChat {
  const [state, dispatch] = React.useReducer(chatReducer, initialConversationId, (id) =>
    id === null ? initialChatState : { ...initialChatState, conversationId: id, loadingHistory: true },
  );
  const [client, setClient] = React.useState<AlmaClient | null>(null);
  const [connection, setConnection] = React.useState<ConnectionState>({ status: "idle" });
  const [model, setModel] = React.useState<ModelStatus | null>(null);
  const [limits, setLimits] = React.useState<{ maxMessageChars: number } | null>(null);
  const [everConnected, setEverConnected] = React.useState(false);
  const stateRef = React.useRef(state);
  stateRef.current = state;
  const lastSend = React.useRef<{ content: string; taskType: TaskTypeChoice; attachments: readonly Attachment[] } | null>(null);
  // The client is created in an effect: sends that come before it (right after hydration) wait here.
  const clientRef = React.useRef<AlmaClient | null>(null);
  const beforeClient = React.useRef<Array<(c: AlmaClient) => void>>([]);
  // clientMessageIds of messages sent while the socket was not open, until they go out (or fail)
  const waiting = React.useRef(new Set<string>());
  const publish = React.useCallback(() => {
    const c = clientRef.current;
    const status = c?.state.status ?? "idle";
    const closed = c?.state.status === "closed" ? c.state : null;
    publishAvailability({
      queues: status === "connecting" || status === "reconnecting",
      waiting: waiting.current.size + beforeClient.current.length,
      failure: closed?.error ? closed.error.message : null,
    });
  }, []);

  React.useEffect(() => {
    const c = new AlmaClient({ clientName: "@alma/web", reconnect: WEB_RECONNECT });
    // A transition lets React yield to the browser every few milliseconds while it renders a batch,
    // so a large render (an answer finishing, a long block) never becomes one long task.
    const batcher = createFrameBatcher<ChatInput>(
      (items) => React.startTransition(() => dispatch({ type: "inputs", items })),
      undefined,
      // a run's newer state replaces its older one still queued: one render shows the newest
      (queued, next) => queued.kind === "run" && next.kind === "run" && queued.state.runId === next.state.runId,
    );
    const offs = [
      // run events reach the page as their runs' states, through the handles below
      c.on("frame", ({ frame, receivedAt }) => {
        if (!frame.type.startsWith("run.")) batcher.push({ kind: "frame", frame, at: receivedAt });
      }),
      // every run the client follows, whoever started it: this page, a reload's resume, or another tab
      c.on("run", (handle) => {
        handle.subscribe((runState) => batcher.push({ kind: "run", state: runState, at: Date.now(), clientMessageId: handle.clientMessageId }));
        handle.done.catch((e: unknown) => {
          const error = toMessageError(e);
          // the run ended while we were away (its answer is stored): show the stored history
          if (error.code === "not_found" || error.code === "run_unavailable") dispatch({ type: "reload" });
          else if (handle.currentRunId !== null) dispatch({ type: "runFailed", runId: handle.currentRunId, error });
        });
      }),
      c.on("state", (s) => {
        setConnection(s);
        // open: the client writes every queued message right now, in the order they were sent
        if (s.status === "open") {
          waiting.current.clear();
          setEverConnected(true);
          setModel(s.welcome.model);
          setLimits({ maxMessageChars: s.welcome.limits.maxMessageChars });
        }
        publish();
      }),
      c.on("model.status", (f) => setModel(f.model)),
    ];
    // retry: a first attempt that fails (the server is not up yet) is retried with backoff like a dropped
    // connection, so what is sent meanwhile stays queued; it rejects only when the client gives up for good
    c.connect(serverUrl, { retry: true }).catch(() => undefined);
    clientRef.current = c;
    for (const go of beforeClient.current.splice(0)) go(c);
    publish();
    setClient(c);
    return () => {
      for (const off of offs) off();
      batcher.dispose();
      if (clientRef.current === c) clientRef.current = null;
      c.close();
      waiting.current.clear();
      publishAvailability(NOTHING_KNOWN);
    };
  }, [serverUrl, publish]);

  // Load history when a conversation is opened (not for one this page just created: it is already shown).
  const conversationId = state.conversationId;
  const isOpen = connection.status === "open";
  const loadingHistory = state.loadingHistory;
  React.useEffect(() => {
    if (!client || !isOpen || !conversationId || !loadingHistory) return;
    let cancelled = false;
    client
      .history(conversationId)
      .then((h) => {
        // the history itself reaches the view as a frame, in order with the runs' states
        if (cancelled || !h.activeRun) return;
        // the run's state at lastIndex, then every event after it: nothing between is lost or shown twice
        client.resume(h.activeRun.runId, h.activeRun.lastIndex, h.activeRun.state);
      })
      .catch((e) => {
        if (cancelled) return;
        const err = toMessageError(e);
        // a dropped connection retries when it reopens; anything else is final for this conversation
        if (err.code !== "connection_lost") dispatch({ type: "historyFailed", error: err });
      });
    return () => {
      cancelled = true;
    };
  }, [client, isOpen, conversationId, loadingHistory]);

  /** A message's own failures before its run starts (refused, never sent); once started, the run's handle reports. */
  const follow = React.useCallback((handle: RunHandle) => {
    handle.done.catch((e: unknown) => {
      const error = toMessageError(e);
      if (error.code === "not_found" || error.code === "run_unavailable") dispatch({ type: "reload" });
      else if (handle.currentRunId === null) dispatch({ type: "sendFailed", clientMessageId: handle.clientMessageId, error });
    });
  }, []);

  /**
   * Sends now when connected; while connecting the client queues it and sends it on connect (in order, once),
   * and the composer shows "Sending when connected…" until then. A connection that fails for good fails it
   * with an error shown on the message.
   */
  const send = React.useCallback(
    (content: string, taskType: TaskTypeChoice, attachments: readonly Attachment[] = []) => {
      const clientMessageId = createId();
      const conversationId = stateRef.current.conversationId;
      lastSend.current = { content, taskType, attachments };
      dispatch({ type: "send", clientMessageId, content, now: Date.now(), attachments });
      const attachmentIds = attachments.map((a) => a.id);
      const go = (c: AlmaClient) => {
        const queued = c.state.status !== "open";
        try {
          const handle = c.send(content, { conversationId, clientMessageId, options: { taskType }, attachmentIds });
          if (queued) {
            waiting.current.add(clientMessageId);
            handle.done.catch(() => {
              if (waiting.current.delete(clientMessageId)) publish();
            });
          }
          follow(handle);
        } catch (e) {
          dispatch({ type: "sendFailed", clientMessageId, error: toMessageError(e) });
        }
      };
      const c = clientRef.current;
      if (c) go(c);
      else beforeClient.current.push(go);
      publish();
    },
    [follow, publish],
  );

  const edit = React.useCallback(
    (messageId: string, content: string, taskType: TaskTypeChoice) => {
      const conv = stateRef.current.conversationId;
      if (!client || !conv) return;
      const clientMessageId = createId();
      dispatch({ type: "edit", messageId, clientMessageId, content, now: Date.now() });
      try {
        follow(client.edit(conv, messageId, content, { clientMessageId, options: { taskType } }));
      } catch (e) {
        dispatch({ type: "sendFailed", clientMessageId, error: toMessageError(e) });
      }
    },
    [client, follow],
  );

  const regenerate = React.useCallback(
    (taskType: TaskTypeChoice) => {
      const conv = stateRef.current.conversationId;
      if (!client || !conv) return;
      dispatch({ type: "regenerate", now: Date.now() });
      try {
        follow(client.regenerate(conv, { taskType, bypassCache: true }));
      } catch (e) {
        dispatch({ type: "sendFailed", clientMessageId: null, error: toMessageError(e) });
      }
    },
    [client, follow],
  );

  const continueMessage = React.useCallback(
    (messageId: string) => {
      const conv = stateRef.current.conversationId;
      if (!client || !conv) return;
      dispatch({ type: "continue", messageId, now: Date.now() });
      try {
        follow(client.continue(conv, messageId));
      } catch (e) {
        dispatch({ type: "sendFailed", clientMessageId: null, error: toMessageError(e) });
      }
    },
    [client, follow],
  );

  /** Retry the failed turn: regenerate when the question reached the server, else send it again. */
  const retry = React.useCallback(() => {
    const s = stateRef.current;
    const last = s.messages.at(-1);
    if (!last) return;
    if (last.role === "assistant" && s.conversationId) {
      regenerate(last.taskType ?? "auto");
      return;
    }
    if (last.role === "user") {
      const content = last.content;
      // drop the failed copy; send() appends it again
      dispatch({ type: "drop", messageId: last.id });
      send(content, lastSend.current?.taskType ?? "auto", last.attachments);
    }
  }, [regenerate, send]);

  const stop = React.useCallback(() => {
    const runId = streamingRunId(stateRef.current);
    if (!client || !runId) return;
    dispatch({ type: "stop", runId });
    try {
      client.stop(runId);
    } catch (e) {
      dispatch({ type: "sendFailed", clientMessageId: null, error: toMessageError(e) });
    }
  }, [client]);

  const open = React.useCallback((id: string | null) => dispatch({ type: "open", conversationId: id }), []);
  const adopt = React.useCallback((conversation: Conversation) => dispatch({ type: "created", conversation }), []);
  const dismissNotice = React.useCallback(() => dispatch({ type: "dismissNotice" }), []);

  const reconnectNow = React.useCallback(() => {
    if (!client) return;
    if (client.state.status === "closed") client.connect(serverUrl, { retry: true }).catch(() => undefined);
  }, [client, serverUrl]);

  return {
    client,
    state,
    connection,
    model,
    limits,
    everConnected,
    streamingRunId: streamingRunId(state),
    open,
    send,
    adopt,
    edit,
    regenerate,
    continueMessage,
    retry,
    stop,
    dismissNotice,
    reconnectNow,
  };
}
