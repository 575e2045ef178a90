import type { ChatModel } from "@alma/llm";
import type { Classification, TaskTypeChoice } from "@alma/protocol";
import { AMBIGUOUS_BELOW, classifyByRules } from "./classify-by-rules.js";
import { classifyWithModel } from "./classify-with-model.js";

export interface ClassifyTaskOptions {
  /** the user's choice; anything but "auto" wins with confidence 1 */
  choice: TaskTypeChoice;
  /** the model to consult for ambiguous cases; none means rules only */
  model?: ChatModel | null;
  timeoutMs?: number;
  signal?: AbortSignal;
  ambiguousBelow?: number;
}

export interface TaskClassification {
  /** the immediate decision (user or rules), available without waiting */
  initial: Classification;
  /** the final decision after the model, when it was asked */
  final: Classification;
  consultedModel: boolean;
  /** why the model's answer was not used, when it was asked and failed */
  modelProblem: string | null;
  usage: { promptTokens: number; completionTokens: number };
}

/** The first, synchronous half: a user override or the rules. */
export function classifyInitial(text: string, choice: TaskTypeChoice): Classification {
  if (choice !== "auto") return { type: choice, source: "user", confidence: 1 };
  const r = classifyByRules(text);
  return { type: r.type, source: "rules", confidence: r.confidence };
}

export function isAmbiguous(c: Classification, threshold = AMBIGUOUS_BELOW): boolean {
  return c.source === "rules" && c.confidence < threshold;
}

/** The whole classifier: override, then rules, then the model for ambiguous cases, falling back to the rules. */
export async function classifyTask(text: string, opts: ClassifyTaskOptions): Promise<TaskClassification> {
  const initial = classifyInitial(text, opts.choice);
  const none = { promptTokens: 0, completionTokens: 0 };
  if (!opts.model || !isAmbiguous(initial, opts.ambiguousBelow)) {
    return { initial, final: initial, consultedModel: false, modelProblem: null, usage: none };
  }
  const r = await classifyWithModel(opts.model, text, { timeoutMs: opts.timeoutMs, signal: opts.signal });
  if (!r.ok) return { initial, final: initial, consultedModel: true, modelProblem: r.reason, usage: none };
  return {
    initial,
    final: { type: r.classification.type, source: "model", confidence: r.classification.confidence },
    consultedModel: true,
    modelProblem: null,
    usage: { promptTokens: r.promptTokens, completionTokens: r.completionTokens },
  };
}
