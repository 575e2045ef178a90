import type { ChatMessage } from "@alma/llm";
import { describe, expect, it } from "vitest";
import { MessageCountCache, messageKey, type KeyedChatMessage } from "./message-count-cache.js";
import { createOpenAITokenCounter } from "./openai-token-counter.js";
import type { TokenCounter } from "./token-counter.js";

const counter = createOpenAITokenCounter("gpt-4o");
const user = (content: string): ChatMessage => ({ role: "user", content });

describe("MessageCountCache", () => {
  it("counts a message once per counter, by content as well as by object", () => {
    const cache = new MessageCountCache();
    const m = user("hello there");
    expect(cache.count(counter, m)).toBe(counter.countMessage(m));
    cache.count(counter, m);
    cache.count(counter, user("hello there"));
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1, size: 1 });
    const other: TokenCounter = { ...counter, id: "other", countMessage: () => 99 };
    expect(cache.count(other, m)).toBe(99);
  });

  it("recounts a message object whose content changed", () => {
    const cache = new MessageCountCache();
    const m = { role: "user", content: "a" } as ChatMessage & { content: string };
    const first = cache.count(counter, m) as number;
    m.content = "a much longer message than before";
    expect(cache.count(counter, m)).toBeGreaterThan(first);
  });

  it("stays within maxEntries, evicting the least recently used", () => {
    const cache = new MessageCountCache({ maxEntries: 2 });
    cache.count(counter, user("one"));
    cache.count(counter, user("two"));
    cache.count(counter, user("one"));
    cache.count(counter, user("three"));
    expect(cache.stats()).toMatchObject({ size: 2, evictions: 1 });
    const misses = cache.stats().misses;
    cache.count(counter, user("one"));
    expect(cache.stats().misses).toBe(misses);
    cache.count(counter, user("two"));
    expect(cache.stats().misses).toBe(misses + 1);
  });

  it("drops a conversation's entries on clearConversation, and caches async counts", async () => {
    const cache = new MessageCountCache();
    cache.count(counter, user("kept"), "a");
    cache.count(counter, user("dropped"), "b");
    cache.clearConversation("b");
    expect(cache.stats().size).toBe(1);
    const slow: TokenCounter = { ...counter, id: "slow", countMessage: async () => 5 };
    expect(await cache.count(slow, user("x"))).toBe(5);
    expect(cache.count(slow, user("x"))).toBe(5);
    expect(() => new MessageCountCache({ maxEntries: 0 })).toThrow(RangeError);
  });

  it("looks up a message with a countKey by that key alone: new objects of a stored message are not counted or hashed again", () => {
    const cache = new MessageCountCache();
    let counted = 0;
    const counting: TokenCounter = {
      ...counter,
      id: "counting",
      countMessage: (m) => {
        counted++;
        return counter.countMessage(m) as number;
      },
    };
    const long = "a stored message long enough to be hashed when it has no key. ".repeat(4);
    const stored = (): KeyedChatMessage => ({ role: "user", content: long, countKey: "m1:256" });
    const first = cache.count(counting, stored(), "c1");
    // each request rebuilds its objects from storage: the key finds them
    for (let i = 0; i < 5; i++) expect(cache.count(counting, stored(), "c1")).toBe(first);
    expect(counted).toBe(1);
    expect(cache.stats()).toMatchObject({ hits: 5, misses: 1, size: 1 });
    // the key is trusted: the caller changes it when the message changes
    expect(cache.count(counting, { role: "user", content: long, countKey: "m1:257" }, "c1")).toBe(first);
    expect(counted).toBe(2);
    // a message without a key is still keyed by its content, apart from keyed entries
    expect(cache.count(counting, user(long))).toBe(first);
    expect(counted).toBe(3);
    cache.clearConversation("c1");
    expect(cache.stats().size).toBe(1);
  });

  it("keys long messages by hash and tells roles, names and tool calls apart", () => {
    expect(messageKey(user("x".repeat(500))).length).toBeLessThan(40);
    expect(messageKey(user("a"))).not.toBe(messageKey({ role: "assistant", content: "a" }));
    expect(messageKey(user("a"))).not.toBe(messageKey({ role: "user", content: "a", name: "bob" }));
    expect(messageKey({ role: "tool", content: "r", toolCallId: "1" })).not.toBe(messageKey({ role: "tool", content: "r", toolCallId: "2" }));
  });
});
