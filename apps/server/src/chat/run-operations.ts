import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClientFrame, Message, RunOptions } from "@alma/protocol";
import { type ConversationStore, type NewUserMessage, StoreError } from "@alma/store";
import type { ConversationRunLocks } from "../cluster/conversation-run-locks.js";
import type { RunHub } from "../runs/run-hub.js";
import type { RunSource } from "../runs/run-source.js";
import type { ChatClient } from "./chat-client.js";
import type { ConversationChangeFeed } from "./conversation-change-feed.js";
import { streamingAnswerAfter } from "./streaming-answer.js";
import { RequestError } from "./request-error.js";
import type { KeyedLock } from "./keyed-lock.js";
import { requireConversation } from "./require-conversation.js";
import type { RunAdmission } from "./run-admission.js";
import type { RunStarter } from "./run-starter.js";

type Frame<T extends ClientFrame["type"]> = Extract<ClientFrame, { type: T }>;

export interface RunOperationsDeps {
  store: ConversationStore;
  hub: RunHub;
  /** runs wherever they run: stop and resume reach another instance's runs with Redis */
  runs: RunSource;
  admission: RunAdmission;
  starter: RunStarter;
  /** an edit that retitles the conversation tells every tab */
  changes: ConversationChangeFeed;
  /** one request at a time per conversation and per clientMessageId (shared with the conversation operations) */
  locks: KeyedLock;
  /** with Redis: a message that starts a new conversation is taken by one instance, a resend elsewhere waits for it */
  conversationLocks?: ConversationRunLocks | null;
}

/** how long a resend waits for another instance to store the same message that starts a new conversation */
const FIRST_SEND_WAIT_MS = 2_000;
const FIRST_SEND_POLL_MS = 25;

/** the lock keys of a request: its conversation, and the client's message id (a resend must find the first one stored) */
export const conversationKey = (id: string) => `conversation:${id}`;
const clientMessageKey = (id: string) => `client-message:${id}`;

/**
 * The frames that start, stop or rejoin a run: each request is checked against the conversation as stored
 * (and a resent message id answered as a duplicate), then admitted, then started.
 */
export class RunOperations {
  constructor(private readonly deps: RunOperationsDeps) {}

  send(client: ChatClient, frame: Frame<"message.send">, receivedAt: number): Promise<void> {
    const keys = [clientMessageKey(frame.clientMessageId), ...(frame.conversationId !== null ? [conversationKey(frame.conversationId)] : [])];
    return this.deps.locks.run(keys, () => this.sendLocked(client, frame, receivedAt));
  }

  private async sendLocked(client: ChatClient, frame: Frame<"message.send">, receivedAt: number): Promise<void> {
    const locks = this.deps.conversationLocks;
    // the KeyedLock holds the clientMessageId on this instance only; across instances the first to take it sends
    if (frame.conversationId !== null || !locks) return this.sendChecked(client, frame, receivedAt);
    const key = `new:${frame.clientMessageId}`;
    const token = `starting:${randomUUID()}`;
    if (!(await locks.acquire(key, token))) return this.sentElsewhere(client, frame, locks, key);
    try {
      await this.sendChecked(client, frame, receivedAt);
    } finally {
      await locks.release(key, token).catch(() => undefined);
    }
  }

  /**
   * The same message starting a new conversation is being sent by another instance: answered as its duplicate once
   * that instance let go of it (its run exists then, so the duplicate names it and watches it).
   */
  private async sentElsewhere(client: ChatClient, frame: Frame<"message.send">, locks: ConversationRunLocks, key: string): Promise<void> {
    const deadline = Date.now() + FIRST_SEND_WAIT_MS;
    while ((await locks.holder(key)) !== null && Date.now() < deadline) await sleep(FIRST_SEND_POLL_MS);
    const first = await this.deps.store.findUserMessageByClientId(frame.clientMessageId);
    if (first) return this.acceptDuplicate(client, frame.clientMessageId, first);
    throw new RequestError("conflict", "This message is being sent by another server right now. Wait a moment, then reload the conversation list to find it.", {
      retryable: true,
    });
  }

  private async sendChecked(client: ChatClient, frame: Frame<"message.send">, receivedAt: number): Promise<void> {
    const { store, admission, starter } = this.deps;
    const existing = await store.findUserMessageByClientId(frame.clientMessageId);
    if (existing && (frame.conversationId === null || existing.conversationId === frame.conversationId)) {
      await this.acceptDuplicate(client, frame.clientMessageId, existing);
      return;
    }
    if (frame.conversationId !== null) await requireConversation(store, frame.conversationId);
    else if (frame.attachmentIds.length > 0) {
      throw new RequestError(
        "not_found",
        "Files belong to a conversation: create it first (POST /api/conversations), upload the files to it, then send the message with its conversationId.",
      );
    }
    await admission.admit(client, frame.conversationId, async () => {
      const conversationId = frame.conversationId ?? (await store.createConversation("")).id;
      const { message, duplicate } = await this.addUserMessage({
        conversationId,
        clientMessageId: frame.clientMessageId,
        content: frame.content,
        attachmentIds: frame.attachmentIds,
      });
      // another instance stored the same message first (the database's unique key said so)
      if (duplicate) {
        await this.acceptDuplicate(client, frame.clientMessageId, message);
        return;
      }
      await starter.start(client, { userMessage: message, options: frame.options, receivedAt, clientMessageId: frame.clientMessageId, announce: true });
    });
  }

  edit(client: ChatClient, frame: Frame<"message.edit">, receivedAt: number): Promise<void> {
    const keys = [clientMessageKey(frame.clientMessageId), conversationKey(frame.conversationId)];
    return this.deps.locks.run(keys, () => this.editLocked(client, frame, receivedAt));
  }

  private async editLocked(client: ChatClient, frame: Frame<"message.edit">, receivedAt: number): Promise<void> {
    const { store, admission, starter } = this.deps;
    await requireConversation(store, frame.conversationId);
    const existing = await store.findUserMessageByClientId(frame.clientMessageId);
    if (existing && existing.conversationId === frame.conversationId) {
      await this.acceptDuplicate(client, frame.clientMessageId, existing);
      return;
    }
    const target = await store.getMessage(frame.messageId);
    if (!target || target.conversationId !== frame.conversationId || target.role !== "user") {
      throw new RequestError("not_found", "That message is not a user message of this conversation. Reload the conversation and try again.");
    }
    await admission.admit(client, frame.conversationId, async () => {
      const { message, retitled } = await store.replaceUserMessage({
        conversationId: frame.conversationId,
        messageId: frame.messageId,
        clientMessageId: frame.clientMessageId,
        content: frame.content,
      });
      // the first question edited under an automatic title: the title follows it, in every tab's list
      if (retitled) this.deps.changes.listChanged({ type: "conversation.updated", conversation: retitled });
      await starter.start(client, { userMessage: message, options: frame.options, receivedAt, clientMessageId: frame.clientMessageId, announce: true });
    });
  }

  regenerate(client: ChatClient, frame: Frame<"run.regenerate">, receivedAt: number): Promise<void> {
    return this.deps.locks.run([conversationKey(frame.conversationId)], async () => {
      const { store, admission, starter } = this.deps;
      await requireConversation(store, frame.conversationId);
      const lastUser = (await store.listMessages(frame.conversationId)).findLast((m) => m.role === "user");
      if (!lastUser) throw new RequestError("not_found", "This conversation has no message to answer again. Send a message first.");
      await admission.admit(client, frame.conversationId, async () => {
        await store.truncateAfter(frame.conversationId, lastUser.id, false);
        await starter.start(client, { userMessage: lastUser, options: frame.options, receivedAt, clientMessageId: null });
      });
    });
  }

  continue(client: ChatClient, frame: Frame<"run.continue">, receivedAt: number): Promise<void> {
    return this.deps.locks.run([conversationKey(frame.conversationId)], () => this.continueLocked(client, frame, receivedAt));
  }

  private async continueLocked(client: ChatClient, frame: Frame<"run.continue">, receivedAt: number): Promise<void> {
    const { store, admission, starter } = this.deps;
    await requireConversation(store, frame.conversationId);
    const messages = await store.listMessages(frame.conversationId);
    const at = messages.findIndex((m) => m.id === frame.messageId);
    const target = messages[at];
    if (target?.role !== "assistant") {
      throw new RequestError("not_found", "That answer is not in this conversation. Reload the conversation and try again.");
    }
    // A complete answer that ran out of output budget (finish "length") is cut too, so it can be continued.
    const cut = ["stopped", "failed", "interrupted"].includes(target.status) || target.finishReason === "length";
    if (at !== messages.length - 1 || !cut) {
      throw new RequestError(
        "conflict",
        "Only the last answer, when it was stopped, failed, interrupted or cut at its length limit, can be continued. Regenerate it instead.",
      );
    }
    const userMessage = messages.slice(0, at).findLast((m) => m.role === "user");
    if (!userMessage) throw new RequestError("not_found", "The question this answer belongs to is gone. Send a new message.");
    const options: RunOptions = { taskType: target.taskType ?? "auto", bypassCache: true, useCacheForCreative: false };
    await admission.admit(client, frame.conversationId, () =>
      starter.start(client, { userMessage, options, receivedAt, clientMessageId: null, continueMessage: target }),
    );
  }

  /** Stop pressed: the run is aborted on whichever instance runs it, which closes its upstream request */
  async stop(frame: Frame<"run.stop">): Promise<void> {
    const stopped = await this.deps.runs.stop(frame.runId);
    if (stopped === "not_running") {
      throw new RequestError("not_found", "That run is not running any more; its answer is stored in the conversation history.");
    }
    if (stopped === "owner_gone") {
      throw new RequestError(
        "not_found",
        "The server that was writing this answer is gone; its partial answer is kept as interrupted. Reload the conversation, then continue it.",
      );
    }
  }

  async resume(client: ChatClient, frame: Frame<"run.resume">): Promise<void> {
    const result = await this.deps.runs.watch(client, frame.runId, frame.afterIndex);
    if (!result.ok) {
      throw new RequestError(
        "not_found",
        result.reason === "ended"
          ? "That run has ended and its answer is stored: load the conversation's history to see it."
          : `This run's replay buffer starts at event ${result.oldestIndex}; load the conversation's history, then resume from the newest event.`,
        { retryable: result.reason === "too_far_behind" },
      );
    }
  }

  /** stores the message with its files, all or none: a file that cannot be sent refuses the message in the store's words */
  private async addUserMessage(input: NewUserMessage): ReturnType<ConversationStore["addUserMessage"]> {
    try {
      return await this.deps.store.addUserMessage(input);
    } catch (error) {
      if (error instanceof StoreError && input.attachmentIds?.length && (await this.deps.store.getConversation(input.conversationId))) {
        throw new RequestError(error.code, `${error.message} The message was not sent.`);
      }
      throw error;
    }
  }

  /** a resent message id: acknowledged again (duplicate: true), never stored twice */
  private async acceptDuplicate(client: ChatClient, clientMessageId: string, message: Message): Promise<void> {
    const runId = this.deps.hub.forUserMessage(message.id)?.id ?? (await this.remoteRunAnswering(message));
    client.send({
      type: "message.accepted",
      clientMessageId,
      conversationId: message.conversationId,
      userMessageId: message.id,
      runId,
      duplicate: true,
    });
    // The resend may come from a client that lost its socket: let it watch the run from the start.
    if (runId !== null && !this.deps.runs.isWatching(client, runId)) await this.deps.runs.watch(client, runId, -1);
  }

  /**
   * With Redis, the run answering `message` on another instance: its stored answer is streaming. Its first event may
   * not be in its stream yet (it was just started); watching it waits for it, and a run that died is ended by its reaper.
   */
  private async remoteRunAnswering(message: Message): Promise<string | null> {
    if (!this.deps.changes.crossInstance) return null;
    return streamingAnswerAfter(await this.deps.store.listMessages(message.conversationId), message.id)?.runId ?? null;
  }
}
