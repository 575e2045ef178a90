import type { RequestMetrics } from "@alma/protocol";
import { decodeRate } from "@alma/protocol";
import { tokensShown } from "./tokens-shown.js";
import type { SpeedSample } from "./model-speed.js";
import type { RequestSpec } from "./run-scope.js";
import { nowMs, type GenerationOutcome } from "./stream-generation.js";

/** One ended request's metrics, its times as offsets (to the microsecond) from when the run's message arrived. */
export function requestMetrics(spec: RequestSpec, out: GenerationOutcome, receivedAt: number): RequestMetrics {
  const off = (at: number) => Math.max(0, Math.round((at - receivedAt) * 1000) / 1000);
  const decodeMs = decodeTime(out);
  const tokens = out.completionTokens;
  return {
    role: spec.role,
    stepId: spec.stepId,
    agent: spec.agent,
    startMs: off(out.startedAt),
    firstTokenMs: out.firstTokenAt === null ? null : off(out.firstTokenAt),
    endMs: off(nowMs()),
    promptTokens: out.promptTokens,
    completionTokens: tokens,
    tokensPerSecond: decodeRate(tokens, decodeMs),
    maxTokens: out.maxOutputTokens,
    finishReason: out.finishReason,
  };
}

/** What the request tells of the model's speed; null when no token arrived. */
export function speedSample(out: GenerationOutcome): SpeedSample | null {
  if (out.firstTokenAt === null) return null;
  const tokens = out.reported ? out.completionTokens : tokensShown(out.completionTokens, out.text.length);
  return { ttftMs: out.firstTokenAt - out.startedAt, tokens, decodeMs: decodeTime(out) };
}

function decodeTime(out: GenerationOutcome): number {
  return out.firstTokenAt !== null && out.lastTokenAt !== null ? out.lastTokenAt - out.firstTokenAt : 0;
}
