import type { ClientFrameInput, Conversation, ServerFrameOf, ServerFrameType } from "@alma/protocol";

export type PinTarget = { text: string; messageId?: undefined } | { messageId: string; text?: undefined };

/** The client's request/reply calls: each sends one frame with a requestId and resolves with the reply that names it. */
export abstract class ConversationRequests {
  protected abstract request<T extends ServerFrameType>(input: ClientFrameInput, expect: readonly T[]): Promise<ServerFrameOf<T>>;

  async listConversations(query?: string): Promise<ServerFrameOf<"conversation.list.result">["conversations"]> {
    const result = await this.request({ type: "conversation.list", query }, ["conversation.list.result"]);
    return result.conversations;
  }

  history(conversationId: string): Promise<ServerFrameOf<"conversation.history.result">> {
    return this.request({ type: "conversation.history", conversationId }, ["conversation.history.result"]);
  }

  async rename(conversationId: string, title: string): Promise<Conversation> {
    const result = await this.request({ type: "conversation.rename", conversationId, title }, ["conversation.updated"]);
    return result.conversation;
  }

  delete(conversationId: string): Promise<ServerFrameOf<"conversation.deleted">> {
    return this.request({ type: "conversation.delete", conversationId }, ["conversation.deleted"]);
  }

  async restore(conversationId: string): Promise<Conversation> {
    const result = await this.request({ type: "conversation.restore", conversationId }, ["conversation.updated"]);
    return result.conversation;
  }

  pin(conversationId: string, target: PinTarget): Promise<ServerFrameOf<"memory.updated">> {
    return this.request({ type: "memory.pin", conversationId, text: target.text, messageId: target.messageId }, ["memory.updated"]);
  }

  unpin(conversationId: string, factId: string): Promise<ServerFrameOf<"memory.updated">> {
    return this.request({ type: "memory.unpin", conversationId, factId }, ["memory.updated"]);
  }
}
