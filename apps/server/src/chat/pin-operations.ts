import type { ClientFrame, ServerFrameOf } from "@alma/protocol";
import type { ConversationStore } from "@alma/store";
import type { ChatClient } from "./chat-client.js";
import type { ConversationChangeFeed } from "./conversation-change-feed.js";
import { RequestError } from "./request-error.js";
import { requireConversation } from "./require-conversation.js";

type Frame<T extends ClientFrame["type"]> = Extract<ClientFrame, { type: T }>;

/**
 * Pinning and unpinning facts of a conversation; each answers with the conversation's memory as it now is, and the
 * conversation's other tabs (on every instance) are shown it too.
 */
export class PinOperations {
  constructor(private readonly deps: { store: ConversationStore; changes: ConversationChangeFeed }) {}

  async pin(client: ChatClient, frame: Frame<"memory.pin">): Promise<ServerFrameOf<"memory.updated">> {
    const { store } = this.deps;
    await requireConversation(store, frame.conversationId);
    let text = frame.text;
    if (frame.messageId !== undefined) {
      const message = await store.getMessage(frame.messageId);
      if (!message || message.conversationId !== frame.conversationId) {
        throw new RequestError("not_found", "That message is not in this conversation, so it cannot be pinned.");
      }
      text ??= message.content.slice(0, 4000);
    }
    if (!text?.trim()) throw new RequestError("conflict", "That message is empty; pin a fact with some text.");
    await store.pinFact({ conversationId: frame.conversationId, text, messageId: frame.messageId ?? null });
    return this.told(client, await this.memoryFrame(frame.conversationId, frame.requestId));
  }

  async unpin(client: ChatClient, frame: Frame<"memory.unpin">): Promise<ServerFrameOf<"memory.updated">> {
    await requireConversation(this.deps.store, frame.conversationId);
    if (!(await this.deps.store.unpinFact(frame.conversationId, frame.factId))) {
      throw new RequestError("not_found", "That pinned fact does not exist (it may have been unpinned already).");
    }
    return this.told(client, await this.memoryFrame(frame.conversationId, frame.requestId));
  }

  private told(client: ChatClient, frame: ServerFrameOf<"memory.updated">): ServerFrameOf<"memory.updated"> {
    this.deps.changes.memoryUpdated(frame, client);
    return frame;
  }

  /** `memory.updated`: the pinned facts and the running summary */
  private async memoryFrame(conversationId: string, requestId: string | undefined): Promise<ServerFrameOf<"memory.updated">> {
    const conversation = await requireConversation(this.deps.store, conversationId);
    return {
      type: "memory.updated",
      requestId,
      conversationId,
      pinnedFacts: await this.deps.store.listPinnedFacts(conversationId),
      summary: conversation.summary,
      summarizedCount: conversation.summarizedCount,
    };
  }
}
