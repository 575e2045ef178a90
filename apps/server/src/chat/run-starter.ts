import { randomUUID } from "node:crypto";
import type { Message, RunOptions, ServerFrameOf } from "@alma/protocol";
import type { AppConfig } from "../config.js";
import type { LiveRun } from "../runs/live-run.js";
import { executeRun, type RunExecutorDeps } from "../runs/run-executor.js";
import type { RunServices } from "../runs/run-services.js";
import type { ChatClient } from "./chat-client.js";
import type { ConversationChangeFeed } from "./conversation-change-feed.js";

export interface RunStarterDeps extends RunServices {
  config: AppConfig;
  /** the new message and its run, for the conversation's other tabs (on every instance) */
  changes: ConversationChangeFeed;
}

export interface StartRunArgs {
  userMessage: Message;
  options: RunOptions;
  receivedAt: number;
  /** the client's id for a new user message, acknowledged with message.accepted; null for a regenerate or continue */
  clientMessageId: string | null;
  /** run.continue: the stored answer the run extends */
  continueMessage?: Message;
  /** a new user message: the other tabs with the conversation open are told before its answer streams */
  announce?: boolean;
}

/**
 * Starts an admitted run: stores (or reopens) its assistant message, creates the live run, acknowledges the
 * message, shows the run to its client and to every other follower of the conversation, and launches the
 * executor, keeping its promise until the final message is stored.
 */
export class RunStarter {
  private readonly executorDeps: RunExecutorDeps;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: RunStarterDeps) {
    this.executorDeps = {
      ...deps,
      flushIntervalMs: deps.config.flushIntervalMs,
      runDeadlineMs: deps.config.runDeadlineMs,
    };
  }

  /** resolves when every started run has stored its final message */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  /** resolves once the run exists and its client was told (the assistant message is stored before that) */
  async start(client: ChatClient, args: StartRunArgs): Promise<void> {
    const { store, hub } = this.deps;
    const runId = randomUUID();
    // with Redis, before anything is stored or acknowledged: any instance finds the run (and its owner) from now on
    await hub.claim(runId, args.userMessage.conversationId);
    let assistantMessageId: string;
    if (args.continueMessage) {
      assistantMessageId = args.continueMessage.id;
      await store.updateAssistantMessage(assistantMessageId, { runId, status: "streaming", finishReason: null, error: null });
    } else {
      assistantMessageId = (await store.addAssistantMessage({ conversationId: args.userMessage.conversationId, runId, taskType: null })).id;
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
    hub.follow(client, run.conversationId);
    // other tabs with this conversation open see the new message in place, then its answer live
    const others = hub.followersOf(run.conversationId).filter((other) => other !== client);
    if (args.announce && (others.length > 0 || this.deps.changes.crossInstance)) {
      // they watch the run from its first event, so reading where the message goes first loses nothing
      try {
        this.deps.changes.messageAdded(await this.addedFrame(args.userMessage), others);
      } catch (err) {
        // the run was created: it must be launched whatever happens here (the other tabs still get its events)
        this.deps.log.error({ err, runId: run.id }, "could not tell the other tabs of the new message");
      }
    }
    for (const other of others) run.subscribe(other, -1);
    this.deps.changes.runCreated(run);
    this.launch(run, args);
  }

  /** runs the executor, with the output cap applied, and keeps its promise until it settles */

  private launch(run: LiveRun, args: StartRunArgs): void {
    const cap = this.deps.config.maxOutputTokens;
    const options = cap === null ? args.options : { ...args.options, maxOutputTokens: Math.min(args.options.maxOutputTokens ?? cap, cap) };
    const done = executeRun(this.executorDeps, {
      run,
      receivedAt: args.receivedAt,
      userText: args.userMessage.content,
      options,
      ...(args.continueMessage ? { continueFrom: args.continueMessage.content } : {}),
    }).catch((err: unknown) => this.deps.log.error({ err, runId: run.id }, "run executor crashed"));
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
  }

  /** `message.added` for a new user message: where it goes in the conversation, for the tabs that did not send it */
  private async addedFrame(message: Message): Promise<ServerFrameOf<"message.added">> {
    const messages = await this.deps.store.listContextMessages(message.conversationId);
    const at = messages.findIndex((m) => m.id === message.id);
    return { type: "message.added", conversationId: message.conversationId, message, after: at > 0 ? messages[at - 1]!.id : null };
  }
}
