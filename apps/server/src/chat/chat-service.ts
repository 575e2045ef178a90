import { randomUUID } from "node:crypto";
import type { ClientFrame, Message, RunOptions, ServerFrameOf } from "@alma/protocol";
import type { AppConfig } from "../config.js";
import { SlidingWindowLimiter } from "../limits/sliding-window-limiter.js";
import { executeRun, type RunExecutorDeps } from "../runs/run-executor.js";
import type { RunServices } from "../runs/run-services.js";
import type { ChatClient } from "./chat-client.js";
import { RequestError } from "./request-error.js";

type Frame<T extends ClientFrame["type"]> = Extract<ClientFrame, { type: T }>;

export interface ChatServiceDeps extends RunServices {
  config: AppConfig;
  /** every handshaken client, for conversation updates seen by other tabs */
  broadcast: (frame: ServerFrameOf<"conversation.updated" | "conversation.deleted">) => void;
}

/**
 * The chat operations behind the WebSocket frames. Run-starting requests are checked against the
 * limits and the model's readiness before anything is stored, so a refused message can simply be resent.
 */
export class ChatService {
  private readonly messageLimiter: SlidingWindowLimiter;
  private readonly executorDeps: RunExecutorDeps;
  private readonly running = new Set<Promise<void>>();
  /** the conversation each client has open (its latest history request or message): it sees that conversation's new runs live */
  private readonly watching = new Map<ChatClient, string>();
  private accepting = true;

  constructor(private readonly deps: ChatServiceDeps) {
    this.messageLimiter = new SlidingWindowLimiter(deps.config.limits.messagesPerMinute, 60_000, deps.now);
    this.executorDeps = {
      ...deps,
      flushIntervalMs: deps.config.flushIntervalMs,
      runDeadlineMs: deps.config.runDeadlineMs,
    };
  }

  /** graceful shutdown: refuse new runs from now on */
  stopAccepting(): void {
    this.accepting = false;
  }

  /** resolves when every started run has stored its final message */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  sendMessage(client: ChatClient, frame: Frame<"message.send">, receivedAt: number): void {
    const { store } = this.deps;
    const existing = store.findUserMessageByClientId(frame.clientMessageId);
    if (existing && (frame.conversationId === null || existing.conversationId === frame.conversationId)) {
      return this.acceptDuplicate(client, frame.clientMessageId, existing);
    }
    if (frame.conversationId !== null) this.requireConversation(frame.conversationId);
    this.checkCanRun(client, frame.conversationId);
    const conversationId = frame.conversationId ?? store.createConversation("").id;
    const { message, duplicate } = store.addUserMessage({ conversationId, clientMessageId: frame.clientMessageId, content: frame.content });
    if (duplicate) return this.acceptDuplicate(client, frame.clientMessageId, message);
    this.startRun(client, { userMessage: message, options: frame.options, receivedAt, clientMessageId: frame.clientMessageId, announce: true });
  }

  editMessage(client: ChatClient, frame: Frame<"message.edit">, receivedAt: number): void {
    const { store } = this.deps;
    this.requireConversation(frame.conversationId);
    const existing = store.findUserMessageByClientId(frame.clientMessageId);
    if (existing && existing.conversationId === frame.conversationId) return this.acceptDuplicate(client, frame.clientMessageId, existing);
    const target = store.getMessage(frame.messageId);
    if (!target || target.conversationId !== frame.conversationId || target.role !== "user") {
      throw new RequestError("not_found", "That message is not a user message of this conversation. Reload the conversation and try again.");
    }
    this.checkCanRun(client, frame.conversationId);
    store.truncateAfter(frame.conversationId, frame.messageId, true);
    const { message } = store.addUserMessage({ conversationId: frame.conversationId, clientMessageId: frame.clientMessageId, content: frame.content });
    this.startRun(client, { userMessage: message, options: frame.options, receivedAt, clientMessageId: frame.clientMessageId, announce: true });
  }

  regenerate(client: ChatClient, frame: Frame<"run.regenerate">, receivedAt: number): void {
    const { store } = this.deps;
    this.requireConversation(frame.conversationId);
    const lastUser = store.listMessages(frame.conversationId).findLast((m) => m.role === "user");
    if (!lastUser) throw new RequestError("not_found", "This conversation has no message to answer again. Send a message first.");
    this.checkCanRun(client, frame.conversationId);
    store.truncateAfter(frame.conversationId, lastUser.id, false);
    this.startRun(client, { userMessage: lastUser, options: frame.options, receivedAt, clientMessageId: null });
  }

  continueRun(client: ChatClient, frame: Frame<"run.continue">, receivedAt: number): void {
    const { store } = this.deps;
    this.requireConversation(frame.conversationId);
    const messages = store.listMessages(frame.conversationId);
    const at = messages.findIndex((m) => m.id === frame.messageId);
    const target = messages[at];
    if (!target || target.role !== "assistant") {
      throw new RequestError("not_found", "That answer is not in this conversation. Reload the conversation and try again.");
    }
    // A complete answer that ran out of output budget (finish "length") is cut too, so it can be continued.
    const cut = ["stopped", "failed", "interrupted"].includes(target.status) || target.finishReason === "length";
    if (at !== messages.length - 1 || !cut) {
      throw new RequestError("conflict", "Only the last answer, when it was stopped, failed, interrupted or cut at its length limit, can be continued. Regenerate it instead.");
    }
    const userMessage = messages.slice(0, at).findLast((m) => m.role === "user");
    if (!userMessage) throw new RequestError("not_found", "The question this answer belongs to is gone. Send a new message.");
    this.checkCanRun(client, frame.conversationId);
    const options: RunOptions = { taskType: target.taskType ?? "auto", bypassCache: true, useCacheForCreative: false };
    this.startRun(client, { userMessage, options, receivedAt, clientMessageId: null, continueMessage: target });
  }

  stop(frame: Frame<"run.stop">): void {
    const run = this.deps.hub.get(frame.runId);
    if (!run || run.isEnded) {
      throw new RequestError("not_found", "That run is not running any more; its answer is stored in the conversation history.");
    }
    run.stop("user");
  }

  resume(client: ChatClient, frame: Frame<"run.resume">): void {
    const run = this.deps.hub.get(frame.runId);
    if (!run) {
      throw new RequestError("not_found", "That run has ended and its answer is stored: load the conversation's history to see it.");
    }
    const result = run.subscribe(client, frame.afterIndex);
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

  list(frame: Frame<"conversation.list">): ServerFrameOf<"conversation.list.result"> {
    return { type: "conversation.list.result", requestId: frame.requestId, conversations: this.deps.store.listConversations(frame.query) };
  }

  /** the client's socket closed */
  forget(client: ChatClient): void {
    this.watching.delete(client);
  }

  history(client: ChatClient, frame: Frame<"conversation.history">): ServerFrameOf<"conversation.history.result"> {
    const { store, hub } = this.deps;
    const conversation = this.requireConversation(frame.conversationId);
    this.watching.set(client, conversation.id);
    const run = hub.activeForConversation(conversation.id);
    // the live answer as of run.lastIndex (the run's own fold), so the viewer resumes right after it without a gap
    const live = run?.state ?? null;
    const messages = store
      .listMessages(conversation.id)
      .map((m) => (live && m.id === run?.assistantMessageId ? { ...m, content: live.text, steps: live.steps.length ? live.steps : null } : m));
    const lastContext = messages.findLast((m) => m.role === "assistant" && m.metrics?.context)?.metrics?.context ?? null;
    return {
      type: "conversation.history.result",
      requestId: frame.requestId,
      conversation,
      messages,
      pinnedFacts: store.listPinnedFacts(conversation.id),
      activeRun: run && live ? { runId: run.id, lastIndex: live.lastIndex, state: live } : null,
      context: lastContext,
    };
  }

  rename(frame: Frame<"conversation.rename">): void {
    const conversation = this.deps.store.renameConversation(frame.conversationId, frame.title);
    if (!conversation) throw this.conversationNotFound();
    this.deps.broadcast({ type: "conversation.updated", requestId: frame.requestId, conversation });
  }

  delete(frame: Frame<"conversation.delete">): void {
    this.deps.hub.activeForConversation(frame.conversationId)?.stop("user");
    const deleted = this.deps.store.deleteConversation(frame.conversationId);
    if (!deleted) throw this.conversationNotFound();
    this.deps.broadcast({ type: "conversation.deleted", requestId: frame.requestId, conversationId: frame.conversationId, ...deleted });
  }

  restore(frame: Frame<"conversation.restore">): void {
    const conversation = this.deps.store.restoreConversation(frame.conversationId);
    if (!conversation) {
      throw new RequestError("not_found", "That conversation cannot be restored: it was not deleted, or its undo window has passed.");
    }
    this.deps.broadcast({ type: "conversation.updated", requestId: frame.requestId, conversation });
  }

  pin(frame: Frame<"memory.pin">): ServerFrameOf<"memory.updated"> {
    const { store } = this.deps;
    this.requireConversation(frame.conversationId);
    let text = frame.text;
    if (frame.messageId !== undefined) {
      const message = store.getMessage(frame.messageId);
      if (!message || message.conversationId !== frame.conversationId) {
        throw new RequestError("not_found", "That message is not in this conversation, so it cannot be pinned.");
      }
      text ??= message.content.slice(0, 4000);
    }
    if (!text?.trim()) throw new RequestError("conflict", "That message is empty; pin a fact with some text.");
    store.pinFact({ conversationId: frame.conversationId, text, messageId: frame.messageId ?? null });
    return this.memoryFrame(frame.conversationId, frame.requestId);
  }

  unpin(frame: Frame<"memory.unpin">): ServerFrameOf<"memory.updated"> {
    this.requireConversation(frame.conversationId);
    if (!this.deps.store.unpinFact(frame.conversationId, frame.factId)) {
      throw new RequestError("not_found", "That pinned fact does not exist (it may have been unpinned already).");
    }
    return this.memoryFrame(frame.conversationId, frame.requestId);
  }

  private memoryFrame(conversationId: string, requestId: string | undefined): ServerFrameOf<"memory.updated"> {
    const conversation = this.requireConversation(conversationId);
    return {
      type: "memory.updated",
      requestId,
      conversationId,
      pinnedFacts: this.deps.store.listPinnedFacts(conversationId),
      summary: conversation.summary,
      summarizedCount: conversation.summarizedCount,
    };
  }

  private acceptDuplicate(client: ChatClient, clientMessageId: string, message: Message): void {
    const run = this.deps.hub.forUserMessage(message.id);
    client.send({
      type: "message.accepted",
      clientMessageId,
      conversationId: message.conversationId,
      userMessageId: message.id,
      runId: run?.id ?? null,
      duplicate: true,
    });
    // The resend may come from a client that lost its socket: let it watch the run from the start.
    if (run && !run.isSubscribed(client)) run.subscribe(client, -1);
  }

  private requireConversation(id: string) {
    const conversation = this.deps.store.getConversation(id);
    if (!conversation) throw this.conversationNotFound();
    return conversation;
  }

  private conversationNotFound(): RequestError {
    return new RequestError("not_found", "That conversation does not exist or was deleted. Pick another one or start a new conversation.");
  }

  private checkCanRun(client: ChatClient, conversationId: string | null): void {
    const { hub, config, model } = this.deps;
    if (!this.accepting) {
      throw new RequestError("shutting_down", "The server is shutting down and takes no new messages. Try again in a moment.", {
        retryable: true,
        retryAfterMs: 5000,
      });
    }
    const status = model.status();
    if (!status.ready) {
      throw new RequestError(
        "model_not_ready",
        `No model is ready${status.problem ? `: ${status.problem}` : ` (${status.state})`}.${status.setup.length ? ` To fix it: ${status.setup.join("; ")}.` : ""}`,
        { retryable: status.state === "loading" || status.state === "downloading" },
      );
    }
    if (conversationId !== null && hub.activeForConversation(conversationId)) {
      throw new RequestError("conflict", "An answer is still being written in this conversation. Stop it or wait for it to finish.", {
        retryable: true,
      });
    }
    if (hub.activeOwnedBy(client.id) >= config.limits.maxRunsPerConnection) {
      throw new RequestError(
        "too_many_runs",
        `This connection already has ${config.limits.maxRunsPerConnection} answers in progress. Wait for one to finish or stop one.`,
        { retryable: true, retryAfterMs: 1000 },
      );
    }
    if (hub.active >= config.limits.maxRunsPerServer) {
      throw new RequestError("too_many_runs", "The server is busy with other answers. Try again in a few seconds.", {
        retryable: true,
        retryAfterMs: 2000,
      });
    }
    const wait = this.messageLimiter.take(client.address);
    if (wait > 0) {
      throw new RequestError(
        "rate_limited",
        `You sent more than ${config.limits.messagesPerMinute} messages in a minute. Try again in ${Math.ceil(wait / 1000)} s.`,
        { retryable: true, retryAfterMs: wait },
      );
    }
  }

  private addedFrame(message: Message): ServerFrameOf<"message.added"> {
    const messages = this.deps.store.listMessages(message.conversationId);
    const at = messages.findIndex((m) => m.id === message.id);
    return { type: "message.added", conversationId: message.conversationId, message, after: at > 0 ? messages[at - 1]!.id : null };
  }

  private startRun(
    client: ChatClient,
    args: {
      userMessage: Message;
      options: RunOptions;
      receivedAt: number;
      clientMessageId: string | null;
      continueMessage?: Message;
      /** a new user message: the other tabs with the conversation open are told before its answer streams */
      announce?: boolean;
    },
  ): void {
    const { store, hub } = this.deps;
    const runId = randomUUID();
    let assistantMessageId: string;
    if (args.continueMessage) {
      assistantMessageId = args.continueMessage.id;
      store.updateAssistantMessage(assistantMessageId, { runId, status: "streaming", finishReason: null, error: null });
    } else {
      assistantMessageId = store.addAssistantMessage({ conversationId: args.userMessage.conversationId, runId, taskType: null }).id;
    }
    const run = hub.create({
      id: runId,
      conversationId: args.userMessage.conversationId,
      userMessageId: args.userMessage.id,
      assistantMessageId,
      ownerConnectionId: client.id,
      ...(args.continueMessage ? { seed: { text: args.continueMessage.content, steps: args.continueMessage.steps } } : {}),
    });
    if (args.clientMessageId !== null) {
      client.send({
        type: "message.accepted",
        clientMessageId: args.clientMessageId,
        conversationId: args.userMessage.conversationId,
        userMessageId: args.userMessage.id,
        runId,
        duplicate: false,
      });
    }
    run.subscribe(client, -1);
    this.watching.set(client, run.conversationId);
    // other tabs with this conversation open see the new message in place, then its answer live
    const added = args.announce ? this.addedFrame(args.userMessage) : null;
    for (const [other, conversationId] of this.watching) {
      if (other === client || conversationId !== run.conversationId) continue;
      if (added) other.send(added);
      run.subscribe(other, -1);
    }
    const cap = this.deps.config.maxOutputTokens;
    const options = cap === null ? args.options : { ...args.options, maxOutputTokens: Math.min(args.options.maxOutputTokens ?? cap, cap) };
    const done = executeRun(this.executorDeps, {
      run,
      receivedAt: args.receivedAt,
      userText: args.userMessage.content,
      options,
      ...(args.continueMessage ? { continueFrom: args.continueMessage.content } : {}),
    }).catch((err: unknown) => this.deps.log.error({ err, runId }, "run executor crashed"));
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
  }
}
