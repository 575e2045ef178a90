import { createHash } from "node:crypto";
import type { ChatMessage } from "@alma/llm";
import type { MaybePromise, TokenCounter } from "./token-counter.js";

export interface MessageCountCacheStats {
  hits: number;
  /** counts computed by the counter (tokenizations) */
  misses: number;
  evictions: number;
  size: number;
  maxEntries: number;
}

interface Entry {
  count: number;
  conversationId: string | null;
}

interface IdentityEntry {
  key: string;
  role: string;
  content: string;
  name: string | undefined;
  extra: unknown;
  /** the count for `counterId`, so a repeated object skips key building and the map lookup */
  counterId: string | null;
  count: number;
}

/**
 * A message with a key its caller guarantees stable: the same key always means the same role, name, content and
 * tool calls (a stored message's id plus its content length, say). The cache then uses it instead of hashing the
 * content, which matters when each request rebuilds its message objects from storage.
 */
export type KeyedChatMessage = ChatMessage & { countKey?: string };

// short messages are their own key; longer ones are hashed so keys stay small
const INLINE_KEY_LIMIT = 96;

function extraOf(m: ChatMessage): unknown {
  return m.role === "assistant" ? m.toolCalls : m.role === "tool" ? m.toolCallId : undefined;
}

const nameOf = (m: ChatMessage): string | undefined => (m.role === "tool" ? undefined : m.name);

// tool calls compare by reference: replace the array (do not mutate it) when they change
function sameFields(known: IdentityEntry, m: ChatMessage): boolean {
  return known.role === m.role && known.content === m.content && known.name === nameOf(m) && known.extra === extraOf(m);
}

/** The content key of a message: role, name, content and tool calls, hashed when long. */
export function messageKey(m: ChatMessage): string {
  const name = m.role === "tool" ? "" : (m.name ?? "");
  const extra = m.role === "assistant" && m.toolCalls ? JSON.stringify(m.toolCalls) : m.role === "tool" ? m.toolCallId : "";
  const raw = `${m.role}\u0000${name}\u0000${extra}\u0000${m.content}`;
  if (raw.length <= INLINE_KEY_LIMIT) return raw;
  return createHash("sha1").update(raw).digest("base64");
}

/**
 * Token counts of messages, keyed by counter id + content key, bounded in entries (least recently
 * used first out). A second, weak map by message object skips even the hashing when the caller
 * passes the same objects again; it re-checks the fields, so a mutated message is recounted. A message
 * with a `countKey` (see `KeyedChatMessage`) is looked up by that key, with no hashing at all.
 */
export class MessageCountCache {
  readonly maxEntries: number;
  private readonly entries = new Map<string, Entry>();
  private readonly byObject = new WeakMap<ChatMessage, IdentityEntry>();
  private readonly byConversation = new Map<string, Set<string>>();
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(options: { maxEntries?: number } = {}) {
    const max = options.maxEntries ?? 50_000;
    if (!Number.isInteger(max) || max < 1) throw new RangeError("MessageCountCache: maxEntries must be an integer >= 1.");
    this.maxEntries = max;
  }

  /** The message's count with this counter: cached, or computed once and remembered. */
  count(counter: TokenCounter, message: KeyedChatMessage, conversationId: string | null = null): MaybePromise<number> {
    const known = message.countKey === undefined ? this.byObject.get(message) : undefined;
    if (known && known.counterId === counter.id && sameFields(known, message)) {
      this.hits++;
      return known.count;
    }
    const key = this.keyOf(counter, message);
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.hits++;
      // re-insert: Map iteration order is the LRU order
      this.entries.delete(key);
      this.entries.set(key, hit);
      this.remember(message, counter.id, hit.count);
      return hit.count;
    }
    this.misses++;
    const computed = counter.countMessage(message);
    if (typeof computed === "number") {
      this.store(key, computed, conversationId);
      this.remember(message, counter.id, computed);
      return computed;
    }
    return computed.then((n) => {
      this.store(key, n, conversationId);
      this.remember(message, counter.id, n);
      return n;
    });
  }

  /** Drops the entries a conversation added (when the conversation is evicted from memory or deleted). */
  clearConversation(conversationId: string): void {
    const keys = this.byConversation.get(conversationId);
    if (!keys) return;
    for (const k of keys) this.entries.delete(k);
    this.byConversation.delete(conversationId);
  }

  clear(): void {
    this.entries.clear();
    this.byConversation.clear();
  }

  stats(): MessageCountCacheStats {
    return { hits: this.hits, misses: this.misses, evictions: this.evictions, size: this.entries.size, maxEntries: this.maxEntries };
  }

  private keyOf(counter: TokenCounter, m: KeyedChatMessage): string {
    // \u0002 keeps caller keys apart from content keys
    if (m.countKey !== undefined) return `${counter.id}\u0002${m.countKey}`;
    const known = this.byObject.get(m);
    if (known && sameFields(known, m)) return `${counter.id}\u0001${known.key}`;
    const key = messageKey(m);
    this.byObject.set(m, { key, role: m.role, content: m.content, name: nameOf(m), extra: extraOf(m), counterId: null, count: 0 });
    return `${counter.id}\u0001${key}`;
  }

  private remember(m: KeyedChatMessage, counterId: string, count: number): void {
    if (m.countKey !== undefined) return;
    const known = this.byObject.get(m);
    if (known && sameFields(known, m)) {
      known.counterId = counterId;
      known.count = count;
    }
  }

  private forget(conversationId: string, key: string): void {
    const set = this.byConversation.get(conversationId);
    if (!set) return;
    set.delete(key);
    if (set.size === 0) this.byConversation.delete(conversationId);
  }

  private store(key: string, count: number, conversationId: string | null): void {
    const previous = this.entries.get(key);
    if (previous?.conversationId) this.forget(previous.conversationId, key);
    this.entries.delete(key);
    this.entries.set(key, { count, conversationId });
    if (conversationId) {
      let set = this.byConversation.get(conversationId);
      if (!set) {
        set = new Set();
        this.byConversation.set(conversationId, set);
      }
      set.add(key);
    }
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      const e = this.entries.get(oldest);
      this.entries.delete(oldest);
      if (e?.conversationId) this.forget(e.conversationId, oldest);
      this.evictions++;
    }
  }
}
