import type { ClientFrame, Message, PinnedFact, RunState, ServerFrameOf } from "@alma/protocol";
import type { ConversationStore } from "@alma/store";
import type { RunHub } from "../runs/run-hub.js";
import type { RunSource } from "../runs/run-source.js";
import type { ChatClient } from "./chat-client.js";
import type { ConversationChangeFeed } from "./conversation-change-feed.js";
import { streamingAnswer } from "./streaming-answer.js";
import type { KeyedLock } from "./keyed-lock.js";
import { RequestError } from "./request-error.js";
import { conversationKey } from "./run-operations.js";
import { conversationNotFound, requireConversation } from "./require-conversation.js";

type Frame<T extends ClientFrame["type"]> = Extract<ClientFrame, { type: T }>;

export interface ConversationOperationsDeps {
  store: ConversationStore;
  hub: RunHub;
  /** a run of the conversation on another instance (with Redis) is joined from its latest state */
  runs: RunSource;
  /** renames, deletes and restores reach every tab on every instance */
  changes: ConversationChangeFeed;
  /** a delete waits for a run being started in the conversation, so it stops that run too */
  locks: KeyedLock;
}

/**
 * Listing, opening (history, with the live answer of a running run), renaming, deleting and restoring
 * conversations. Changes are broadcast, so every tab's list stays current.
 */
export class ConversationOperations {
  constructor(private readonly deps: ConversationOperationsDeps) {}

  async list(frame: Frame<"conversation.list">): Promise<ServerFrameOf<"conversation.list.result">> {
    return { type: "conversation.list.result", requestId: frame.requestId, conversations: await this.deps.store.listConversations(frame.query) };
  }

  /** the conversation as stored, with its running answer as of now; the client follows the conversation from here on */
  history(client: ChatClient, frame: Frame<"conversation.history">): Promise<ServerFrameOf<"conversation.history.result">> {
    // no run starts in the conversation while its history is read (starts hold the same lock)
    return this.deps.locks.run([conversationKey(frame.conversationId)], () => this.historyLocked(client, frame));
  }

  private async historyLocked(client: ChatClient, frame: Frame<"conversation.history">): Promise<ServerFrameOf<"conversation.history.result">> {
    const { store, hub } = this.deps;
    const conversation = await requireConversation(store, frame.conversationId);
    hub.follow(client, conversation.id);
    const run = hub.activeForConversation(conversation.id);
    const read = () => Promise.all([store.listMessages(conversation.id), store.listPinnedFacts(conversation.id)]);
    let [stored, pinnedFacts] = await read();
    // a run that ended while the store answered has its final answer stored by now (before its end went out)
    if (run?.isEnded) [stored, pinnedFacts] = await read();
    // the live answer as of run.lastIndex (the run's own fold), so the viewer resumes right after it without a gap
    let live: { runId: string; assistantMessageId: string; state: RunState } | null =
      run && !run.isEnded ? { runId: run.id, assistantMessageId: run.assistantMessageId, state: run.state } : null;
    if (!run) ({ live, stored, pinnedFacts } = await this.elsewhere(read, stored, pinnedFacts));
    const messages = stored.map((m) =>
      live && m.id === live.assistantMessageId ? { ...m, content: live.state.text, steps: live.state.steps.length ? live.state.steps : null } : m,
    );
    const lastContext = messages.findLast((m) => m.role === "assistant" && m.metrics?.context)?.metrics?.context ?? null;
    return {
      type: "conversation.history.result",
      requestId: frame.requestId,
      conversation,
      messages,
      pinnedFacts,
      activeRun: live ? { runId: live.runId, lastIndex: live.state.lastIndex, state: live.state } : null,
      context: lastContext,
    };
  }

  /**
   * No run of the conversation here: one may be running on another instance (its stored answer is streaming). Its
   * latest state comes from its stream; one that ended meanwhile has its final answer stored, read again.
   */
  private async elsewhere(
    read: () => Promise<[Message[], PinnedFact[]]>,
    stored: Message[],
    pinnedFacts: PinnedFact[],
  ): Promise<{ live: { runId: string; assistantMessageId: string; state: RunState } | null; stored: Message[]; pinnedFacts: PinnedFact[] }> {
    const answer = streamingAnswer(stored);
    if (!answer) return { live: null, stored, pinnedFacts };
    const state = await this.deps.runs.liveState(answer.runId);
    if (state) return { live: { runId: answer.runId, assistantMessageId: answer.id, state }, stored, pinnedFacts };
    if (!this.deps.changes.crossInstance) return { live: null, stored, pinnedFacts };
    const [again, pins] = await read();
    return { live: null, stored: again, pinnedFacts: pins };
  }

  async rename(frame: Frame<"conversation.rename">): Promise<void> {
    const conversation = await this.deps.store.renameConversation(frame.conversationId, frame.title);
    if (!conversation) throw conversationNotFound();
    this.deps.changes.listChanged({ type: "conversation.updated", requestId: frame.requestId, conversation });
  }

  delete(frame: Frame<"conversation.delete">): Promise<void> {
    return this.deps.locks.run([conversationKey(frame.conversationId)], async () => {
      this.deps.hub.activeForConversation(frame.conversationId)?.stop("user");
      const deleted = await this.deps.store.deleteConversation(frame.conversationId);
      if (!deleted) throw conversationNotFound();
      this.deps.changes.listChanged({ type: "conversation.deleted", requestId: frame.requestId, conversationId: frame.conversationId, ...deleted });
    });
  }

  async restore(frame: Frame<"conversation.restore">): Promise<void> {
    const conversation = await this.deps.store.restoreConversation(frame.conversationId);
    if (!conversation) {
      throw new RequestError("not_found", "That conversation cannot be restored: it was not deleted, or its undo window has passed.");
    }
    this.deps.changes.listChanged({ type: "conversation.updated", requestId: frame.requestId, conversation });
  }
}
