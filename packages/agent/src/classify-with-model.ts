import { z } from "zod";
import { errorText, type ChatModel } from "@alma/llm";
import { taskTypeSchema } from "@alma/protocol";
import { classifyPrompt } from "./prompts/classify-prompt.js";
import type { RuleClassification } from "./classify-by-rules.js";
import { extractJsonObject } from "./extract-json-object.js";

export const modelClassificationSchema = z.object({
  type: taskTypeSchema,
  confidence: z.coerce.number().min(0).max(1),
});

export interface ClassifyWithModelOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type ModelClassificationResult =
  | { ok: true; classification: RuleClassification; promptTokens: number; completionTokens: number }
  | { ok: false; reason: string };

/**
 * Asks the model for `{"type","confidence"}` with a tiny bounded request. Never throws: a timeout, a provider
 * error or output that is not the expected JSON comes back as `ok: false` so the caller keeps the rules' decision.
 */
export async function classifyWithModel(
  model: ChatModel,
  text: string,
  { timeoutMs = 1500, signal }: ClassifyWithModelOptions = {},
): Promise<ModelClassificationResult> {
  const rendered = classifyPrompt.render({ text });
  // a cleared timer rather than AbortSignal.timeout, whose timer lives on after the answer came
  const timeoutCtrl = new AbortController();
  const timer = setTimeout(() => timeoutCtrl.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  const timeout = timeoutCtrl.signal;
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let out = "";
  let promptTokens = 0;
  let completionTokens = 0;
  try {
    for await (const chunk of model.stream(
      [
        { role: "system", content: rendered.system },
        { role: "user", content: rendered.instruction ?? text },
      ],
      { maxOutputTokens: classifyPrompt.maxOutputTokens, temperature: classifyPrompt.temperature, json: true, signal: combined },
    )) {
      if (chunk.type === "delta") out += chunk.text;
      else if (chunk.type === "done") ({ promptTokens, completionTokens } = chunk.usage);
    }
  } catch (e) {
    if (timeout.aborted) return { ok: false, reason: `the model did not answer within ${timeoutMs} ms` };
    return { ok: false, reason: errorText(e) };
  } finally {
    clearTimeout(timer);
  }
  const json = extractJsonObject(out);
  const parsed = modelClassificationSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `the model's answer was not the expected JSON: ${out.slice(0, 80)}` };
  return { ok: true, classification: parsed.data, promptTokens, completionTokens };
}
