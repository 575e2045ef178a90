import type { ContextMessage } from "@alma/memory";

const WORDS = (
  "the a model window token budget context summary user assistant message turn fact pinned request server stream " +
  "answer question because therefore however database index latency memory cache hash count trim keep evict " +
  "año niño straße café 東京 数据 模型 مرحبا 😀 👍🏽 résumé naïve"
).split(" ");

/** A deterministic conversation (xorshift PRNG): alternating user/assistant messages of 5–150 words. */
export function makeConversation(count: number, seed = 42): ContextMessage[] {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
  const text = (min: number, max: number) => {
    const n = min + Math.floor(rnd() * (max - min));
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rnd() * WORDS.length)]!);
    return out.join(" ");
  };
  const messages: ContextMessage[] = [];
  for (let i = 0; i < count; i++) {
    messages.push(i % 2 === 0 ? { id: `m${i}`, role: "user", content: text(5, 60) } : { id: `m${i}`, role: "assistant", content: text(20, 150) });
  }
  return messages;
}
