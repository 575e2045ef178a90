import { conversationDeletedFrameSchema, conversationUpdatedFrameSchema, memoryUpdatedFrameSchema, messageAddedFrameSchema } from "@alma/protocol";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { PubSubHub } from "./pub-sub-hub.js";
import type { RedisKeys } from "./redis-keys.js";

/**
 * What a tab on another instance must hear about: the server frames it would broadcast itself (without the
 * requester's requestId), plus `run.created` so followers of the conversation there subscribe to the new run.
 */
export const conversationChangeSchema = z.discriminatedUnion("type", [
  messageAddedFrameSchema,
  conversationUpdatedFrameSchema.omit({ requestId: true }),
  conversationDeletedFrameSchema.omit({ requestId: true }),
  memoryUpdatedFrameSchema.omit({ requestId: true }),
  z.object({ type: z.literal("conversation.restored"), conversationId: z.string() }),
  z.object({
    type: z.literal("run.created"),
    conversationId: z.string(),
    runId: z.string(),
    userMessageId: z.string(),
    assistantMessageId: z.string(),
  }),
]);
export type ConversationChange = z.infer<typeof conversationChangeSchema>;

const envelopeSchema = z.object({ origin: z.string(), conversationId: z.string(), change: conversationChangeSchema });

export interface ConversationChangesOptions {
  redis: Redis;
  pubsub: PubSubHub;
  keys: RedisKeys;
  instanceId: string;
  onError?: (err: Error) => void;
}

export type ConversationChangeHandler = (conversationId: string, change: ConversationChange, origin: string) => void;

/**
 * Conversation changes fanned out to every instance over pub/sub. Delivery is at most once, as in-process
 * broadcasts to open sockets are: a tab that missed one reloads the history on reconnect anyway.
 */
export class ConversationChanges {
  constructor(private readonly options: ConversationChangesOptions) {}

  /** tells every instance (this one included, unless its subscriber skips its own) */
  async publish(conversationId: string, change: ConversationChange): Promise<void> {
    const checked = conversationChangeSchema.parse(change);
    await this.options.redis.publish(this.options.keys.conversations(), JSON.stringify({ origin: this.options.instanceId, conversationId, change: checked }));
  }

  /**
   * `handler` hears every instance's changes; with `skipOwn` (default) not this instance's, which it broadcast
   * locally already. Resolves once subscribed; returns the unsubscribe.
   */
  subscribe(handler: ConversationChangeHandler, { skipOwn = true }: { skipOwn?: boolean } = {}): Promise<() => Promise<void>> {
    return this.options.pubsub.subscribe(this.options.keys.conversations(), (message) => {
      let envelope: z.infer<typeof envelopeSchema>;
      try {
        envelope = envelopeSchema.parse(JSON.parse(message));
      } catch (err) {
        this.options.onError?.(new Error(`ignored a conversation change that does not parse: ${(err as Error).message}`));
        return;
      }
      if (skipOwn && envelope.origin === this.options.instanceId) return;
      handler(envelope.conversationId, envelope.change, envelope.origin);
    });
  }
}
