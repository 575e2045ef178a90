import { splitIntoModelTokens, type FakeChatRequest, type FakeReply } from "@alma/testing";
import { PLAN_MARKER } from "../prompts/analytical-plan-prompt.js";
import { STEP_MARKER } from "../prompts/analytical-step-prompt.js";
import { SYNTHESIS_MARKER } from "../prompts/analytical-synthesis-prompt.js";
import { CLASSIFY_MARKER } from "../prompts/classify-prompt.js";

export interface CapableResponderOptions {
  /** the model's decode rate; 0 = as fast as possible */
  tokensPerSecond?: number;
  /** delay before the first token */
  firstTokenDelayMs?: number;
  /** how many steps the planner writes (capped by what the prompt allows) */
  planSteps?: number;
  /** words written when a prompt states no length */
  defaultWords?: number;
}

const TOPICS = ["latency", "reliability", "cost", "operations", "security", "ecosystem"];

/** The text of a message as the fake server received it. */
function text(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === "object" && p && "text" in p ? String((p as { text: unknown }).text) : "")).join("");
  return "";
}

/** Words of plain English prose, `n` of them, each one token for OpenAI's tokenizers. */
export function proseWords(n: number, seed = "answer"): string {
  const words = ["the", "model", "reads", "each", "part", "and", "weighs", "what", "it", "finds", "then", "states", "a", "clear", "result"];
  return `${Array.from({ length: Math.max(1, n) }, (_, i) => (i === 0 ? seed : words[i % words.length])).join(" ")}.`;
}

/**
 * A cooperative model behind the fake OpenAI server: it writes a valid plan when asked for one (compact, as the
 * plan prompt asks), keeps to the length each prompt asks for ("at most N words"), never writes past max_tokens,
 * and ends on its own. Tests and benchmarks use it to check alma's sizing, not the model's quality.
 */
export function capableResponder(opts: CapableResponderOptions = {}) {
  const pace = { tokensPerSecond: opts.tokensPerSecond ?? 0, firstTokenDelayMs: opts.firstTokenDelayMs ?? 0 };
  return (req: FakeChatRequest): FakeReply => {
    const all = req.messages.map((m) => text(m.content)).join("\n");
    const last = text(req.messages.at(-1)?.content);
    const limit = req.maxTokens ?? Infinity;
    const fit = (words: number) => Math.max(1, Math.min(words, limit - 2));
    if (last.includes(CLASSIFY_MARKER) || all.includes(CLASSIFY_MARKER)) return { text: '{"type":"analytical","confidence":0.9}', ...pace };
    if (last.includes(PLAN_MARKER)) {
      const allowed = /in (?:\d+ to )?(\d+) steps/.exec(last);
      const n = Math.min(opts.planSteps ?? 3, allowed ? Number(allowed[1]) : 3);
      const steps = Array.from({ length: n }, (_, i) => ({
        id: `s${i + 1}`,
        title: `Weigh ${TOPICS[i % TOPICS.length]}`,
        instruction: `Assess ${TOPICS[i % TOPICS.length]} for the request.`,
        dependsOn: [] as string[],
      }));
      return { tokens: splitIntoModelTokens(JSON.stringify({ steps })), ...pace };
    }
    const asked = /at most (\d+) words/.exec(last) ?? /at most (\d+) words/.exec(all);
    const words = fit(asked ? Number(asked[1]) : (opts.defaultWords ?? 60));
    if (last.includes(STEP_MARKER)) return { text: proseWords(words, "finding"), ...pace };
    if (last.includes(SYNTHESIS_MARKER)) return { text: proseWords(words, "overall"), ...pace };
    if (/Updated summary:/.test(last)) return { text: proseWords(fit(40), "summary"), ...pace };
    return { text: proseWords(words), ...pace };
  };
}
