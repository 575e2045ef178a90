import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { TaskType } from "@alma/protocol";
import { AMBIGUOUS_BELOW, classifyByRules, normalizeForRules } from "./classify-by-rules.js";
import { routeTask, type Route } from "./route-task.js";
import { labelledPrompts, type PromptLang } from "./testing/labelled-prompts.js";

// Measures the rules on the held-out evaluation set and keeps docs/routing.md's figures equal to the measured ones.
// After a rule or label change: UPDATE_ROUTING_DOCS=1 pnpm --filter @alma/agent test -- routing-quality

const DOCS = fileURLToPath(new URL("../../../docs/routing.md", import.meta.url));
const START = "<!-- routing-quality:start -->";
const END = "<!-- routing-quality:end -->";

const TYPES: readonly TaskType[] = ["creative", "analytical", "conversational"];
const ROUTES: readonly Route[] = ["plan", "single"];
const LANGS: readonly PromptLang[] = ["en", "es", "pt", "fr", "de", "it", "nl"];

interface ClassStats {
  label: string;
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

interface Evaluation<L extends string> {
  n: number;
  /** matrix[truth][predicted] */
  matrix: Record<L, Record<L, number>>;
  perClass: ClassStats[];
  macro: { precision: number; recall: number; f1: number };
  accuracy: number;
}

function evaluate<L extends string>(labels: readonly L[], pairs: Array<[truth: L, predicted: L]>): Evaluation<L> {
  const matrix = Object.fromEntries(labels.map((t) => [t, Object.fromEntries(labels.map((p) => [p, 0]))])) as Record<L, Record<L, number>>;
  for (const [t, p] of pairs) matrix[t][p]++;
  const perClass = labels.map((l) => {
    const tp = matrix[l][l];
    const predicted = labels.reduce((s, t) => s + matrix[t][l], 0);
    const support = labels.reduce((s, p) => s + matrix[l][p], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label: l, support, precision, recall, f1 };
  });
  const mean = (k: "precision" | "recall" | "f1") => perClass.reduce((s, c) => s + c[k], 0) / perClass.length;
  const right = labels.reduce((s, l) => s + matrix[l][l], 0);
  return { n: pairs.length, matrix, perClass, macro: { precision: mean("precision"), recall: mean("recall"), f1: mean("f1") }, accuracy: right / pairs.length };
}

const analytical = labelledPrompts.filter((p) => p.type === "analytical");
const typeEval = evaluate(
  TYPES,
  labelledPrompts.map((p) => [p.type, classifyByRules(p.text).type]),
);
const routeEval = evaluate(
  ROUTES,
  analytical.map((p) => [p.route!, routeTask(p.text).route]),
);
const stat = (e: Evaluation<string>, label: string) => e.perClass.find((c) => c.label === label)!;

const f2 = (x: number) => x.toFixed(2);

function statsTable(e: Evaluation<string>, what: string): string[] {
  return [
    `| ${what} | prompts | precision | recall | F1 |`,
    "|---|---:|---:|---:|---:|",
    ...e.perClass.map((c) => `| ${c.label} | ${c.support} | ${f2(c.precision)} | ${f2(c.recall)} | ${f2(c.f1)} |`),
    `| **macro average** | ${e.n} | ${f2(e.macro.precision)} | ${f2(e.macro.recall)} | **${f2(e.macro.f1)}** |`,
  ];
}

function matrixTable<L extends string>(labels: readonly L[], e: Evaluation<L>, who: string): string[] {
  return [
    `| labelled \\ ${who} | ${labels.join(" | ")} |`,
    `|---|${labels.map(() => "---:").join("|")}|`,
    ...labels.map((t) => `| ${t} | ${labels.map((p) => (t === p ? `**${e.matrix[t][p]}**` : String(e.matrix[t][p]))).join(" | ")} |`),
  ];
}

/** The generated block of docs/routing.md: every figure in it comes from this function. */
function renderRoutingQuality(): string {
  const confident = labelledPrompts.map((p) => ({ p, r: classifyByRules(p.text) })).filter(({ r }) => r.confidence >= AMBIGUOUS_BELOW);
  const confidentRight = confident.filter(({ p, r }) => r.type === p.type).length;
  const byLang = LANGS.map((lang) => {
    const all = labelledPrompts.filter((p) => p.lang === lang);
    const an = all.filter((p) => p.type === "analytical");
    const typeRight = all.filter((p) => classifyByRules(p.text).type === p.type).length;
    const routeRight = an.filter((p) => routeTask(p.text).route === p.route).length;
    return `| ${lang} | ${all.length} | ${typeRight}/${all.length} | ${routeRight}/${an.length} |`;
  });
  const lines = [
    `Measured on the ${labelledPrompts.length} prompts of \`packages/agent/src/testing/labelled-prompts.ts\` by \`routing-quality.test.ts\`; do not edit by hand.`,
    "",
    `**Task type** (\`classifyByRules\`, rules only, no model), accuracy ${f2(typeEval.accuracy)}:`,
    "",
    ...statsTable(typeEval, "type"),
    "",
    ...matrixTable(TYPES, typeEval, "rules"),
    "",
    `The rules were sure (confidence ≥ ${AMBIGUOUS_BELOW}, no model call) on ${confident.length} of ${labelledPrompts.length} prompts and right on ${confidentRight} of those; the other ${labelledPrompts.length - confident.length} would go to the model.`,
    "",
    `**Route** (\`routeTask\` on the ${analytical.length} prompts labelled analytical), accuracy ${f2(routeEval.accuracy)}:`,
    "",
    ...statsTable(routeEval, "route"),
    "",
    ...matrixTable(ROUTES, routeEval, "routeTask"),
    "",
    "**By language** (it and nl are not covered by the rules):",
    "",
    "| language | prompts | type right | route right (analytical) |",
    "|---|---:|---:|---:|",
    ...byLang,
  ];
  return lines.join("\n");
}

function docsBlock(doc: string): string | null {
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  return a < 0 || b < a ? null : doc.slice(a + START.length, b).trim();
}

describe("the labelled evaluation set", () => {
  it("has at least 160 prompts in the five covered languages, balanced across types and routes", () => {
    expect(labelledPrompts.length).toBeGreaterThanOrEqual(160);
    for (const lang of ["en", "es", "pt", "fr", "de"] as const) expect(labelledPrompts.filter((p) => p.lang === lang).length, lang).toBeGreaterThanOrEqual(20);
    const share = (t: TaskType) => labelledPrompts.filter((p) => p.type === t).length / labelledPrompts.length;
    expect(share("analytical")).toBeGreaterThan(0.35);
    expect(share("analytical")).toBeLessThan(0.5);
    for (const t of ["creative", "conversational"] as const) {
      expect(share(t)).toBeGreaterThan(0.22);
      expect(share(t)).toBeLessThan(0.38);
    }
    const plans = analytical.filter((p) => p.route === "plan").length;
    expect(Math.abs(plans - (analytical.length - plans))).toBeLessThanOrEqual(analytical.length * 0.1);
    for (const p of labelledPrompts) expect(p.route === null, p.text).toBe(p.type !== "analytical");
  });

  it("has no duplicates and shares no prompt with the tuning tests", () => {
    const norm = labelledPrompts.map((p) => normalizeForRules(p.text));
    expect(new Set(norm).size).toBe(norm.length);
    const tuning = ["classify-task.test.ts", "route-task.test.ts"].map((f) =>
      normalizeForRules(readFileSync(fileURLToPath(new URL(f, import.meta.url)), "utf8").slice(0, 1e6)),
    );
    const shared = labelledPrompts.filter((p) => tuning.some((src) => src.includes(`"${normalizeForRules(p.text)}"`)));
    expect(shared.map((p) => p.text)).toEqual([]);
  });
});

describe("routing quality on the evaluation set", () => {
  it("prints the figures", () => {
    console.log(`\n${renderRoutingQuality()}\n`);
  });

  // floors: the figures measured when the set was written, minus a margin, so a rule change that loses ground fails
  it("classifies the task type with macro-F1 ≥ 0.93 and every type's precision and recall ≥ 0.9", () => {
    expect(typeEval.macro.f1).toBeGreaterThanOrEqual(0.93);
    for (const c of typeEval.perClass) {
      expect(c.precision, `${c.label} precision`).toBeGreaterThanOrEqual(0.9);
      expect(c.recall, `${c.label} recall`).toBeGreaterThanOrEqual(0.9);
    }
  });

  it("routes one-answer questions to a single pass (recall ≥ 0.85) and plans only work with several parts (precision ≥ 0.8)", () => {
    expect(stat(routeEval, "single").recall).toBeGreaterThanOrEqual(0.85);
    expect(stat(routeEval, "plan").precision).toBeGreaterThanOrEqual(0.8);
    expect(stat(routeEval, "plan").recall).toBeGreaterThanOrEqual(0.85);
    expect(routeEval.macro.f1).toBeGreaterThanOrEqual(0.92);
  });

  it.each(["What is the capital of France?", "Who wrote Pride and Prejudice?", "How do tides work?", "Define photosynthesis in one sentence"])(
    "%s → analytical, single pass",
    (text) => {
      expect(classifyByRules(text).type).toBe("analytical");
      expect(routeTask(text).route).toBe("single");
    },
  );

  it.each([
    "Compare PostgreSQL and MongoDB for an analytics workload and recommend one",
    "My Node server leaks memory after a deploy; find the likely causes and how to confirm each",
  ])("%s → analytical, plan", (text) => {
    expect(classifyByRules(text).type).toBe("analytical");
    expect(routeTask(text).route).toBe("plan");
  });

  it("docs/routing.md shows the measured figures", () => {
    const rendered = renderRoutingQuality();
    const doc = readFileSync(DOCS, "utf8");
    if (process.env.UPDATE_ROUTING_DOCS) {
      const a = doc.indexOf(START);
      const b = doc.indexOf(END);
      if (a < 0 || b < a) throw new Error(`docs/routing.md has no ${START} … ${END} block`);
      writeFileSync(DOCS, `${doc.slice(0, a + START.length)}\n${rendered}\n${doc.slice(b)}`);
      return;
    }
    expect(docsBlock(doc), "docs/routing.md is out of date: run UPDATE_ROUTING_DOCS=1 pnpm --filter @alma/agent test -- routing-quality").toBe(rendered);
  });
});
