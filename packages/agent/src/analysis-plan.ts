import { z } from "zod";
import { formatZodIssues } from "@alma/protocol";
import { extractJsonObject } from "./extract-json-object.js";

export const planStepInputSchema = z.object({
  /** optional: a plan that leaves ids out gets s1, s2, ... by position */
  id: z.coerce.string().trim().min(1).max(40).optional(),
  title: z.string().trim().min(1).max(200),
  instruction: z.string().trim().min(1).max(4000),
  dependsOn: z.array(z.coerce.string()).default([]),
  /** the worker kind the planner chose; read loosely (any case, any word): an unknown or unavailable kind falls back to the analyst */
  agent: z
    .unknown()
    .transform((v) => (typeof v === "string" && v.trim() ? v.trim().toLowerCase().slice(0, 40) : undefined))
    .optional(),
});

export interface AnalysisStep {
  id: string;
  title: string;
  instruction: string;
  dependsOn: string[];
  /** the worker kind as the planner wrote it (lower case), when it named one; the registry decides what runs it */
  agent?: string;
}

export interface AnalysisPlan {
  steps: AnalysisStep[];
}

export type PlanParse = { ok: true; plan: AnalysisPlan } | { ok: false; problem: string };

export function planSchema(minSteps: number, maxSteps: number) {
  return z.object({ steps: z.array(planStepInputSchema).min(minSteps).max(maxSteps) });
}

/**
 * Reads the model's plan: JSON validated with zod, ids made unique, and dependencies kept only when they point to
 * an earlier step (so the graph can never cycle or wait on a step that does not exist).
 */
export function parsePlan(text: string, minSteps: number, maxSteps: number): PlanParse {
  const json = extractJsonObject(text);
  if (json === undefined) return { ok: false, problem: "the answer contained no JSON object" };
  const parsed = planSchema(minSteps, maxSteps).safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      problem: formatZodIssues(parsed.error)
        .map((i) => `${i.path}: ${i.message}`)
        .join("; "),
    };
  }
  const seen = new Set<string>();
  const steps = parsed.data.steps.map((s, i) => normalizePlanStep(s, i, seen));
  return { ok: true, plan: { steps } };
}

/**
 * One validated step with a unique id and dependencies only on earlier steps (so the graph can never cycle or wait
 * on a step that does not exist); `seen` holds the ids so far and gains this one.
 */
export function normalizePlanStep(s: z.output<typeof planStepInputSchema>, index: number, seen: Set<string>): AnalysisStep {
  const given = s.id ?? `s${index + 1}`;
  const id = seen.has(given) ? `s${index + 1}_${index}` : given;
  const dependsOn = [...new Set(s.dependsOn)].filter((d) => seen.has(d));
  seen.add(id);
  return { id, title: s.title, instruction: s.instruction, dependsOn, ...(s.agent ? { agent: s.agent } : {}) };
}
