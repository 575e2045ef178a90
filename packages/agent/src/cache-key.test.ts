import { describe, expect, it } from "vitest";
import { cacheKey, type CacheKeyParts } from "./cache-key.js";

const base: CacheKeyParts = {
  provider: "openai",
  model: "gpt-4o-mini",
  templateVersion: "p1/conversational@1",
  temperature: 0.6,
  maxOutputTokens: 256,
  taskType: "conversational",
  messages: [
    { role: "system", content: "S" },
    { role: "user", content: "first" },
    { role: "assistant", content: "reply" },
    { role: "user", content: "hello" },
  ],
};

describe("cacheKey", () => {
  it("is a stable sha256 hex", () => {
    expect(cacheKey(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey(structuredClone(base))).toBe(cacheKey(base));
  });
  it("changes with every part, including earlier messages, not only the last one", () => {
    const k = cacheKey(base);
    const variants: Array<Partial<CacheKeyParts>> = [
      { provider: "local" },
      { model: "gpt-4o" },
      { templateVersion: "p1/conversational@2" },
      { temperature: 0.7 },
      { maxOutputTokens: 257 },
      { taskType: "analytical" },
      {
        messages: [
          { role: "system", content: "S" },
          { role: "user", content: "hello" },
        ],
      },
      { messages: base.messages.map((m, i) => (i === 1 ? { ...m, content: "other" } : m)) },
    ];
    for (const v of variants) expect(cacheKey({ ...base, ...v })).not.toBe(k);
  });
  it("does not confuse content moved across a message boundary", () => {
    const a = cacheKey({
      ...base,
      messages: [
        { role: "user", content: "ab" },
        { role: "user", content: "c" },
      ],
    });
    const b = cacheKey({
      ...base,
      messages: [
        { role: "user", content: "a" },
        { role: "user", content: "bc" },
      ],
    });
    expect(a).not.toBe(b);
  });
});
