import { encode as encodeCl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { encode as encodeO200k } from "gpt-tokenizer/encoding/o200k_base";
import type { ChatMessage } from "@alma/llm";
import fc from "fast-check";
import type { ContextMessage } from "./build-context.js";

const plain = { disallowedSpecial: new Set<string>() };

/**
 * An independent count of a request with OpenAI's documented framing, encoding every value with
 * `encode(...).length` (the counter under test uses gpt-tokenizer's native counting path).
 */
export function independentOpenAICount(messages: readonly ChatMessage[], encoding: "o200k_base" | "cl100k_base" = "o200k_base"): number {
  const enc = (t: string) => (t ? (encoding === "o200k_base" ? encodeO200k : encodeCl100k)(t, plain).length : 0);
  let total = 3;
  for (const m of messages) {
    total += 3 + enc(m.role) + enc(m.content);
    if (m.role !== "tool" && m.name) total += 1 + enc(m.name);
    if (m.role === "assistant") for (const c of m.toolCalls ?? []) total += 3 + enc(c.id) + enc(c.name) + enc(c.arguments);
    if (m.role === "tool") total += enc(m.toolCallId);
  }
  return total;
}

const text = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "grapheme", maxLength: 60 }) },
  { weight: 3, arbitrary: fc.lorem({ maxCount: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom("<|endoftext|>", "<|im_start|>assistant", "😀👍🏽 مرحبا 你好", "") },
  // huge messages
  { weight: 1, arbitrary: fc.tuple(fc.lorem({ maxCount: 5 }), fc.integer({ min: 50, max: 400 })).map(([s, k]) => s.repeat(k)) },
);

type TurnStep = { kind: "text"; content: string } | { kind: "tools"; content: string; calls: Array<{ name: string; args: string; result: string }> };

const turnArb = fc.record({
  user: text,
  name: fc.option(fc.constantFrom("alice", "bob_2"), { nil: undefined }),
  steps: fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant("text" as const), content: text }),
      fc.record({
        kind: fc.constant("tools" as const),
        content: fc.oneof(fc.constant(""), text),
        calls: fc.array(fc.record({ name: fc.constantFrom("search", "calc", "read_file"), args: text.map((t) => JSON.stringify({ q: t })), result: text }), {
          minLength: 1,
          maxLength: 3,
        }),
      }),
    ),
    { maxLength: 3 },
  ),
});

/** Random conversations of whole turns: user, then assistant texts and tool call/result groups. */
export const conversationArb = fc.array(turnArb, { minLength: 0, maxLength: 30 }).chain((turns) =>
  text.map((last) => {
    const out: ContextMessage[] = [];
    let id = 0;
    let call = 0;
    const next = () => `m${id++}`;
    for (const t of turns) {
      out.push(t.name ? { id: next(), role: "user", content: t.user, name: t.name } : { id: next(), role: "user", content: t.user });
      for (const s of t.steps as TurnStep[]) {
        if (s.kind === "text") out.push({ id: next(), role: "assistant", content: s.content });
        else {
          const calls = s.calls.map((c) => ({ id: `call_${call++}`, name: c.name, arguments: c.args }));
          out.push({ id: next(), role: "assistant", content: s.content, toolCalls: calls });
          for (const [k, c] of s.calls.entries()) out.push({ id: next(), role: "tool", toolCallId: calls[k]!.id, content: c.result });
        }
      }
    }
    out.push({ id: next(), role: "user", content: last });
    return out;
  }),
);
