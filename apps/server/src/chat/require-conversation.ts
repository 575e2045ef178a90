import type { Conversation } from "@alma/protocol";
import type { ConversationStore } from "@alma/store";
import { RequestError } from "./request-error.js";

/** The refusal for a conversation id that names nothing (never created, or deleted). */
export function conversationNotFound(): RequestError {
  return new RequestError("not_found", "That conversation does not exist or was deleted. Pick another one or start a new conversation.");
}

/** The stored conversation, or a `not_found` refusal the client can act on. */
export async function requireConversation(store: ConversationStore, id: string): Promise<Conversation> {
  const conversation = await store.getConversation(id);
  if (!conversation) throw conversationNotFound();
  return conversation;
}
