import type { ConversationChange } from "@alma/live-runs";
import type { ServerFrameOf } from "@alma/protocol";
import type { RunHub } from "../runs/run-hub.js";
import type { RunSource } from "../runs/run-source.js";
import type { RunSubscriber } from "../runs/run-subscriber.js";
import type { Broadcast, ChatClient } from "./chat-client.js";

/** tells the other instances of a change (with Redis; nothing in-process) */
export type PublishChange = (conversationId: string, change: ConversationChange) => void;

type ListFrame = ServerFrameOf<"conversation.updated"> | ServerFrameOf<"conversation.deleted">;

export interface ConversationChangeFeedDeps {
  broadcast: Broadcast;
  hub: RunHub;
  runs: RunSource;
  /** null in-process: the tabs of this server are all the tabs */
  publish: PublishChange | null;
}

/**
 * Conversation changes reach every tab on every instance: each is sent to this server's tabs that should see it,
 * and published for the other instances, whose `receive` sends it to theirs (an instance never hears its own, so
 * no tab gets a change twice). The audiences are the same on both sides.
 */
export class ConversationChangeFeed {
  constructor(private readonly deps: ConversationChangeFeedDeps) {}

  /** other instances' tabs may be waiting: a new message is worth announcing even with no follower here */
  get crossInstance(): boolean {
    return this.deps.publish !== null;
  }

  /** a conversation was created, renamed, retitled, deleted or restored: every tab's list */
  listChanged(frame: ListFrame): void {
    this.deps.broadcast(frame);
    const { requestId: _requestId, ...change } = frame;
    this.publish(frame.type === "conversation.updated" ? frame.conversation.id : frame.conversationId, change as ConversationChange);
  }

  /** a user message added in a conversation: the tabs that have it open, but the ones already shown it */
  messageAdded(frame: ServerFrameOf<"message.added">, shownTo: readonly RunSubscriber[]): void {
    this.deps.broadcast(frame, (c) => shownTo.includes(c));
    this.publish(frame.conversationId, frame);
  }

  /** pinned facts or the summary changed: the conversation's tabs, but the one that asked (it gets the answer) */
  memoryUpdated(frame: ServerFrameOf<"memory.updated">, requester: ChatClient): void {
    const { requestId: _requestId, ...change } = frame;
    this.deps.broadcast(change, (c) => c !== requester && this.deps.hub.isFollowing(c, frame.conversationId));
    this.publish(frame.conversationId, change);
  }

  /** a run started: the followers on other instances watch it from its first event (those here already do) */
  runCreated(run: { id: string; conversationId: string; userMessageId: string; assistantMessageId: string }): void {
    this.publish(run.conversationId, {
      type: "run.created",
      conversationId: run.conversationId,
      runId: run.id,
      userMessageId: run.userMessageId,
      assistantMessageId: run.assistantMessageId,
    });
  }

  /** another instance's change, for this server's tabs */
  receive(conversationId: string, change: ConversationChange): void {
    const { broadcast, hub, runs } = this.deps;
    switch (change.type) {
      case "conversation.updated":
        broadcast(change);
        return;
      case "conversation.deleted":
        // a run of the deleted conversation running here stops, as a delete on this server would stop it
        hub.activeForConversation(conversationId)?.stop("user");
        broadcast(change);
        return;
      case "message.added":
      case "memory.updated":
        broadcast(change, (c) => hub.isFollowing(c, conversationId));
        return;
      case "run.created":
        for (const follower of hub.followersOf(conversationId)) {
          if (runs.isWatching(follower, change.runId)) continue;
          void runs.watch(follower, change.runId, -1).catch(() => undefined);
        }
        return;
      case "conversation.restored":
        // restores are told as conversation.updated, which carries the conversation
        return;
    }
  }

  private publish(conversationId: string, change: ConversationChange): void {
    this.deps.publish?.(conversationId, change);
  }
}
