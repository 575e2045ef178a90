import { createHash } from "node:crypto";
import type { ChatModel } from "@alma/llm";
import type { Classification, Usage } from "@alma/protocol";
import type { AgentRunInput } from "./agent-run.js";
import { isAmbiguous } from "./classify-task.js";
import { classifyWithModel } from "./classify-with-model.js";
import { MANAGER_AGENT, ModelRequest } from "./gen-ai-telemetry.js";
import type { ManagerAgentSettings } from "./manager-agent-config.js";
import { classifyPrompt } from "./prompts/classify-prompt.js";
import { PROMPT_VERSION } from "./prompts/prompt-template.js";
import { type AnswerCache, readCache, writeCache } from "./answer-cache.js";
import { nowMs } from "./stream-generation.js";

export interface RefinedClassification {
  classification: Classification;
  /** the classify request's usage; null when the rules decided or the answer was remembered */
  usage: Usage | null;
}

/**
 * Ambiguous rule decisions go to the model (remembered per message text when a cache is present); the request is
 * metered like every other, and a failed one leaves the rules' decision.
 */
export async function refineClassification(
  model: ChatModel,
  cache: AnswerCache | null,
  settings: Pick<ManagerAgentSettings, "ambiguousBelow" | "classifyTimeoutMs">,
  input: AgentRunInput,
  initial: Classification,
): Promise<RefinedClassification> {
  const rulesOnly = { classification: initial, usage: null };
  if (!isAmbiguous(initial, settings.ambiguousBelow)) return rulesOnly;
  const memoKey = createHash("sha256")
    .update(`classify\u0000${PROMPT_VERSION}\u0000${model.provider}\u0000${model.model}\u0000${input.userText}`)
    .digest("hex");
  const remembered = cache ? await readCache(() => cache.getClassification(memoKey)) : null;
  if (remembered) return { classification: remembered, usage: null };
  const request = new ModelRequest(input, model, { role: "classify", stepId: null, agent: MANAGER_AGENT, temperature: classifyPrompt.temperature, json: true });
  const startedAt = nowMs();
  const r = await classifyWithModel(model, input.userText, { timeoutMs: settings.classifyTimeoutMs, signal: input.signal });
  const off = (at: number) => Math.max(0, at - input.receivedAt);
  const metrics = {
    role: "classify" as const,
    stepId: null,
    agent: MANAGER_AGENT,
    startMs: off(startedAt),
    firstTokenMs: null,
    endMs: off(nowMs()),
    promptTokens: r.ok ? r.promptTokens : 0,
    completionTokens: r.ok ? r.completionTokens : 0,
    tokensPerSecond: null,
    maxTokens: classifyPrompt.maxOutputTokens,
    finishReason: r.ok ? "stop" : "error",
  };
  request.end(metrics, { finishReason: metrics.finishReason, error: r.ok ? null : { code: "classification_failed", message: r.reason }, responseModel: null });
  if (!r.ok) return rulesOnly;
  const decided: Classification = { type: r.classification.type, source: "model", confidence: r.classification.confidence };
  if (cache) writeCache(() => cache.setClassification(memoKey, decided));
  return { classification: decided, usage: { promptTokens: r.promptTokens, completionTokens: r.completionTokens, reported: r.promptTokens > 0 } };
}
