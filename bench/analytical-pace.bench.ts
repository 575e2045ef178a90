import { pathToFileURL } from "node:url";
import { ManagerAgent, ModelSpeedTracker, PRIOR_SPEED, type AgentEvent } from "@alma/agent";
import { capableResponder, harness } from "@alma/agent/testing";
import { OpenAIChatModel } from "@alma/llm";
import { startFakeOpenAI } from "@alma/testing";
import { renderTable, type BenchTable } from "./lib/print-table.js";
import { planThenRun } from "./analytical/plan-then-run-baseline.js";

/**
 * Benchmark: analytical answers at real model speeds. A capable model (valid plans, keeps to the length it is asked
 * for) streams at 5, 12, 40 and 100 tokens/s with a 400 ms first token behind a vLLM-like server; alma answers
 * within the default 60 s deadline, first with no estimate of the model's pace (cold), then with the estimate
 * its first run left (warm), beside the plan-then-run path it replaced, all in the same run. `--quick` runs the
 * same thing 10× faster (speeds ×10, deadline and first-token delay ÷10): the ratios hold, the times scale.
 */
const TASK = "Compare PostgreSQL and MongoDB for an analytics workload and recommend one";
const SPEEDS = [5, 12, 40, 100];

interface Row {
  path: string;
  tokensPerSecond: number;
  firstTokenMs: number | null;
  totalMs: number;
  mode: string;
  steps: string;
  finishReason: string;
  whole: boolean;
}

async function almaRun(url: string, speed: ModelSpeedTracker, deadlineMs: number, scale: number) {
  const model = new OpenAIChatModel({ baseURL: url, model: "house-model" });
  const priorPace = { ttftMs: PRIOR_SPEED.ttftMs / scale, tokensPerSecond: PRIOR_SPEED.tokensPerSecond * scale };
  const agent = new ManagerAgent({ model, config: { deadlineMs, speed, modelKey: "bench", priorPace } });
  let first: number | null = null;
  const t0 = performance.now();
  const h = harness({
    userText: TASK,
    onEvent: (e: AgentEvent) => {
      if (e.type === "run.token") first ??= performance.now() - t0;
    },
  });
  const r = await agent.run(h.input);
  const totalMs = performance.now() - t0;
  const steps = r.steps ?? [];
  const complete = steps.filter((s) => s.status === "complete").length;
  return {
    firstTokenMs: first,
    totalMs,
    mode: steps.length ? "plan" : "direct",
    steps: steps.length ? `${complete}/${steps.length}` : "–",
    finishReason: r.finishReason,
    whole: r.finishReason === "stop" && complete === steps.length,
  };
}

export async function runAnalyticalPaceBench({ quick = false }: { quick?: boolean } = {}): Promise<{ rows: Row[]; table: BenchTable }> {
  const scale = quick ? 10 : 1;
  const deadlineMs = 60_000 / scale;
  const rows: Row[] = [];
  for (const tps of SPEEDS) {
    const start = () =>
      startFakeOpenAI({
        flavour: "vllm",
        contextWindow: 32_768,
        models: ["house-model"],
        handler: capableResponder({ tokensPerSecond: tps * scale, firstTokenDelayMs: 400 / scale }),
      });
    const [a, b] = await Promise.all([start(), start()]);
    try {
      const speed = new ModelSpeedTracker();
      // the cold run and the baseline at once (separate fake servers, as two models would be)
      const [cold, base] = await Promise.all([
        almaRun(a.url, speed, deadlineMs, scale),
        planThenRun(new OpenAIChatModel({ baseURL: b.url, model: "house-model" }), TASK, deadlineMs),
      ]);
      const warm = await almaRun(a.url, speed, deadlineMs, scale);
      rows.push({ path: "alma (cold)", tokensPerSecond: tps, ...cold });
      rows.push({ path: "alma (warm)", tokensPerSecond: tps, ...warm });
      rows.push({
        path: "plan-then-run",
        tokensPerSecond: tps,
        firstTokenMs: base.firstTokenMs,
        totalMs: base.totalMs,
        mode: "plan",
        steps: `${base.stepsComplete}/${base.steps}`,
        finishReason: base.finishReason,
        whole: base.finishReason === "stop" && base.stepsComplete === base.steps,
      });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }
  // times are shown at the 60 s scale, so quick and full runs read the same way
  const s = (ms: number | null) => (ms === null ? "–" : `${((ms * scale) / 1000).toFixed(1)} s`);
  const goal = (r: Row) => {
    if (!r.path.startsWith("alma")) return "";
    const ft = (r.firstTokenMs ?? Infinity) * scale;
    const total = r.totalMs * scale;
    if (r.tokensPerSecond === 12) return r.whole && total <= 60_000 && ft <= 6_000 ? "met (whole ≤ 60 s, first ≤ 6 s)" : "MISSED (whole ≤ 60 s, first ≤ 6 s)";
    if (r.tokensPerSecond === 40)
      return r.whole && total <= 45_000 && ft <= 2_500 ? "met (whole ≤ 45 s, first ≤ 2.5 s)" : "MISSED (whole ≤ 45 s, first ≤ 2.5 s)";
    return r.whole ? "whole" : "cut";
  };
  const table: BenchTable = {
    title: `Analytical answers by model speed (${quick ? "quick: 10× time-scaled" : "full"}; 60 s deadline, 400 ms first token)`,
    columns: ["tokens/s", "path", "first token", "done", "mode", "steps complete", "finish", "goal"],
    rows: rows.map((r) => [String(r.tokensPerSecond), r.path, s(r.firstTokenMs), s(r.totalMs), r.mode, r.steps, r.finishReason, goal(r)]),
    notes: [
      "cold: no estimate of the model's pace yet (the planner's own stream measures it); warm: the estimate the cold run left, as after a restart",
      "plan-then-run: the whole plan first, fixed budgets (500 per step, 1,200 synthesis), steps cut 15 s before the deadline",
    ],
  };
  return { rows, table };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await runAnalyticalPaceBench({ quick: process.argv.includes("--quick") });
  console.log(renderTable(result.table));
}
