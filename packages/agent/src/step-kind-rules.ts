import type { AnalysisStep } from "./analysis-plan.js";

// Rules that help a small planner: a step whose text obviously needs computing or the documents gets the kind
// that has the tool for it, whatever kind (or none) the planner wrote. Words in English; the planner's own kind
// covers the rest.
const COMPUTE_CUE =
  /\b(calculat\w*|comput\w*|monthly payments?|repayments?|amorti[sz]\w*|compound\w*|interest (rate|paid|cost)|percentages?|averages?|medians?|standard deviation|sum of|totals?|how much|convert\w*|arithmetic|formula|npv|irr|roi|break-?even|growth rate)\b|\d\s*%/i;
const DOCUMENT_CUE =
  /\b(attach\w*|documents?|files?|uploaded|the (report|text|paper|pdf|csv|spreadsheet|table|notes?|contract|manual|book|article|minutes|transcript)|according to|quot(e|es|ing)|cit(e|es|ing)|pages? \d+|excerpts?|passages?)\b/i;

/** Does the text ask about the attached documents (a cue word, or a document's name or stem)? */
export function refersToDocuments(text: string, documentNames: readonly string[]): boolean {
  if (DOCUMENT_CUE.test(text)) return true;
  const lower = text.toLowerCase();
  return documentNames.some((name) => {
    const n = name.toLowerCase();
    const stem = n.replace(/\.[a-z0-9]{1,5}$/, "");
    return lower.includes(n) || (stem.length >= 4 && lower.includes(stem));
  });
}

/** Does the text obviously need figures computed? */
export function needsComputing(text: string): boolean {
  return COMPUTE_CUE.test(text);
}

export interface StepKindContext {
  /** the user's request */
  task: string;
  /** the kinds this run's plan may use */
  available: ReadonlySet<string>;
  /** the kinds given to the steps before this one */
  assigned: readonly string[];
  documentNames: readonly string[];
}

/**
 * The kind a step should run as when the planner's choice (or its lack of one) is clearly wrong, else the
 * planner's. A step the planner gave a tool-using kind keeps it. Otherwise, in order:
 * 1. its own text asks about the documents → researcher (when the run has documents);
 * 2. its own text needs computing → calculator;
 * 3. it is the plan's first step, no researcher came before, and the request asks about the documents → researcher.
 * The registry then resolves the result (unknown or unavailable → analyst).
 */
export function assignStepKind(step: AnalysisStep, ctx: StepKindContext): string | undefined {
  const given = step.agent;
  if (given && given !== "analyst" && ctx.available.has(given)) return given;
  const text = `${step.title}. ${step.instruction}`;
  const docs = ctx.available.has("researcher");
  if (docs && refersToDocuments(text, ctx.documentNames)) return "researcher";
  if (ctx.available.has("calculator") && needsComputing(text)) return "calculator";
  if (docs && ctx.assigned.length === 0 && refersToDocuments(ctx.task, ctx.documentNames)) return "researcher";
  return given;
}
