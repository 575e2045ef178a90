import { expect, test, type Locator, type Page } from "@playwright/test";
import { DOCS_QUESTION, SCENARIOS } from "./fake-model";
import { lastAssistant, openChat, recordFrames, send, shot } from "./helpers";

function ms(v: number | null): string {
  if (v === null) return "–";
  if (v < 1000) return `${Math.round(v)} ms`;
  return `${(v / 1000).toFixed(v < 10_000 ? 2 : 1)} s`;
}

const count = (n: number) => n.toLocaleString("en-US");

interface Request {
  role: string;
  stepId: string | null;
  agent: string;
  startMs: number;
  firstTokenMs: number | null;
  endMs: number;
  completionTokens: number;
  tokensPerSecond: number | null;
}
interface Metrics {
  firstTokenMs: number | null;
  totalMs: number;
  promptTokens: number;
  completionTokens: number;
  tokensPerSecond: number | null;
  model: string;
  requests?: Request[];
  context: { promptTokens: number; contextWindow: number; fill: number } | null;
}

type Frames = Array<Record<string, unknown>>;
const completed = (frames: Frames) => frames.filter((f) => f.type === "run.completed").map((f) => f.metrics as Metrics);

async function openMetrics(page: Page): Promise<void> {
  await page.getByTestId("metrics-toggle").click();
  await expect(page.getByTestId("metrics-panel")).toBeVisible();
}

async function chooseAnalytical(page: Page): Promise<void> {
  await page.getByTestId("task-type").click();
  await page.getByTestId("task-type-analytical").click();
  await expect(page.getByTestId("task-type")).toHaveAttribute("data-value", "analytical");
}

interface RowData {
  role: string;
  agent: string;
  stepId: string | null;
  start: number;
  end: number;
  firstToken: number | null;
  tokens: number | null;
  cut: string;
  retry: number;
  running: boolean;
}

async function waterfallRows(page: Page): Promise<RowData[]> {
  return page.getByTestId("waterfall-row").evaluateAll((els) =>
    els.map((el) => {
      const d = (el as HTMLElement).dataset;
      const num = (v: string | undefined) => (v === undefined || v === "" ? null : Number(v));
      return {
        role: d.role ?? "",
        agent: d.agent ?? "",
        stepId: d.stepId ?? null,
        start: Number(d.startMs),
        end: Number(d.endMs),
        firstToken: num(d.firstTokenMs),
        tokens: num(d.tokens),
        cut: d.cut ?? "",
        retry: Number(d.retry),
        running: d.running !== undefined,
      };
    }),
  );
}

const overlaps = (a: RowData, b: RowData) => a.start < b.end && b.start < a.end;

test("the metrics panel shows figures that match the run's events, live while streaming", async ({ page }) => {
  const frames = recordFrames(page);
  await openChat(page);
  await openMetrics(page);
  await send(page, "Measure this answer please");
  // live: the completion-token count moves while the answer streams
  await expect(page.getByTestId("metrics-live")).toBeVisible();
  const first = Number(await page.getByTestId("metric-completion-tokens-value").textContent());
  await expect.poll(async () => Number(await page.getByTestId("metric-completion-tokens-value").textContent())).toBeGreaterThan(first);
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await expect(page.getByTestId("metrics-live")).toHaveCount(0);

  const [m] = completed(frames);
  expect(m).toBeDefined();
  await expect(page.getByTestId("metric-completion-tokens-value")).toHaveText(count(m!.completionTokens));
  await expect(page.getByTestId("metric-prompt-tokens-value")).toHaveText(count(m!.promptTokens));
  await expect(page.getByTestId("metric-ttft-value")).toHaveText(ms(m!.firstTokenMs));
  await expect(page.getByTestId("metric-total-value")).toHaveText(ms(m!.totalMs));
  expect(frames.filter((f) => f.type === "run.token").length).toBeGreaterThan(0);

  // a single answer's waterfall: the classification when the model was asked, then the answer, as the server measured them
  const rows = await waterfallRows(page);
  expect(rows.map((r) => r.role).filter((r) => r !== "classify")).toEqual(["answer"]);
  expect(rows.map((r) => r.role)).toEqual(m!.requests!.map((r) => r.role));
  const answer = m!.requests!.find((r) => r.role === "answer")!;
  expect(rows.at(-1)).toMatchObject({ start: Math.round(answer.startMs), end: Math.round(answer.endMs), tokens: answer.completionTokens });

  // the server stream arrives while the panel is open
  await expect(page.getByTestId("server-figures")).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId("metric-connections-value")).not.toHaveText("0");
  // every figure explains itself on hover
  await page.getByTestId("metric-ttft").hover();
  await expect(page.getByRole("tooltip")).toContainText("first token");
  await shot(page, "06-metrics-panel");
  // closing the panel unsubscribes
  const before = frames.filter((f) => f.type === "metrics.server").length;
  await page.getByTestId("metrics-toggle").click();
  await page.waitForTimeout(2500);
  expect(frames.filter((f) => f.type === "metrics.server").length - before).toBeLessThanOrEqual(1);
});

test("an analytical answer's waterfall: a row per phase and request in order, growing live, the same after a reload", async ({ page }) => {
  test.setTimeout(90_000);
  const frames = recordFrames(page);
  await openChat(page);
  await openMetrics(page);
  await chooseAnalytical(page);
  await send(page, `Compare SQLite and Postgres for a chat app, ${SCENARIOS.steadySteps}`);
  const waterfall = page.getByTestId("waterfall");
  await expect(waterfall).toHaveAttribute("data-source", "live", { timeout: 20_000 });

  // live: a step row appears and its bar grows with time, before the run ends
  const running = page.locator('[data-testid="waterfall-row"][data-role="step"][data-running]').first();
  await expect(running).toBeVisible({ timeout: 20_000 });
  const liveStart = await waterfallRows(page);
  expect(liveStart[0]!.role).toBe("plan");
  // steps stream side by side: no tokens/s is shown for the run until the model's rate across its requests is known
  await expect(page.getByTestId("metrics-live")).toBeVisible();
  await expect(page.getByTestId("metric-tps-value")).toHaveText("after the run");
  const endThen = Number(await running.getAttribute("data-end-ms"));
  await expect.poll(async () => Number(await running.getAttribute("data-end-ms")), { timeout: 10_000 }).toBeGreaterThan(endThen + 200);
  // rows are added as the run goes: the second step, then the synthesis
  await expect.poll(async () => (await waterfallRows(page)).length, { timeout: 20_000 }).toBeGreaterThan(liveStart.length);
  const liveRows = await waterfallRows(page);
  // while live, the rows are on one scale that starts at the run: every bar starts at or after 0, in start order
  expect(liveRows.every((r) => r.start >= 0 && r.end >= r.start)).toBe(true);
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  await expect(waterfall).toHaveAttribute("data-source", "requests");
  const [m] = completed(frames);
  const requests = m!.requests!;
  const rows = await waterfallRows(page);

  // classify (when the model was asked), plan, each step, synthesis, then the reviewer's pass over the draft when the
  // model's pace left time for it (a step request of its own): in that order, on one time scale
  const roles = rows.filter((r) => r.agent !== "reviewer").map((r) => r.role);
  expect(roles.filter((r) => r !== "classify")).toEqual(["plan", "step", "step", "synthesis"]);
  expectReviewAfterSynthesis(rows);
  expect(roles.indexOf("classify")).toBeLessThanOrEqual(0);
  for (let i = 1; i < rows.length; i++) expect(rows[i]!.start).toBeGreaterThanOrEqual(rows[i - 1]!.start);
  // each row is the server's request: its start, first token, end and tokens
  const sorted = [...requests].sort((a, b) => a.startMs - b.startMs);
  expect(rows.map((r) => [r.role, r.stepId, r.start, r.firstToken, r.end, r.tokens])).toEqual(
    sorted.map((q) => [
      q.role,
      q.stepId,
      Math.round(q.startMs),
      q.firstTokenMs === null ? null : Math.round(q.firstTokenMs),
      Math.round(q.endMs),
      q.completionTokens,
    ]),
  );
  const steps = rows.filter((r) => r.role === "step" && r.agent !== "reviewer");
  expect(steps.map((s) => s.stepId)).toEqual(["s1", "s2"]);
  expect(steps.every((s) => s.agent.length > 0 && (s.tokens ?? 0) > 0 && s.firstToken !== null && s.firstToken >= s.start)).toBe(true);
  expect(rows.every((r) => r.cut === "" && r.retry === 0 && !r.running)).toBe(true);
  // each step's own decode rate is shown on its row; the run's figure is the model's rate across its requests
  for (const [i, s] of steps.entries()) {
    const rate = requests.find((q) => q.stepId === s.stepId)!.tokensPerSecond!;
    await expect(page.locator('[data-testid="waterfall-row"][data-role="step"]').nth(i).getByTestId("waterfall-row-rate")).toHaveText(
      `${Math.round(rate)} tok/s`,
    );
  }
  await expect(page.getByTestId("metric-tps")).toContainText("Model decode rate");
  await expect(page.getByTestId("metric-tps-value")).toHaveText(`${Math.round(m!.tokensPerSecond!)} tok/s`);
  await expect(page.getByTestId("metric-tps")).toHaveAttribute("aria-label", /across its \d+ requests/);

  // side by side where the plan allows: a step that depends on another starts after it ended, independent steps overlap;
  // the first step starts while the planner is still writing the rest of the plan
  const plan = (frames.filter((f) => f.type === "run.plan").at(-1)?.steps ?? []) as { id: string; dependsOn: string[] }[];
  for (const a of steps) {
    for (const b of steps) {
      if (a === b) continue;
      const bNeedsA = plan.find((p) => p.id === b.stepId)?.dependsOn.includes(a.stepId!);
      if (bNeedsA) expect(b.start).toBeGreaterThanOrEqual(a.end);
    }
  }
  const planRow = rows.find((r) => r.role === "plan")!;
  expect(overlaps(planRow, steps[0]!)).toBe(true);
  expect(overlaps(steps.at(-1)!, rows.find((r) => r.role === "synthesis")!)).toBe(false);

  // a time axis in seconds from the receipt
  const ticks = await page.getByTestId("waterfall-tick").allTextContents();
  expect(ticks[0]).toBe("0");
  expect(ticks.length).toBeGreaterThanOrEqual(3);
  expect(ticks.slice(1).every((t) => / s$/.test(t))).toBe(true);
  expect(new Set(ticks).size).toBe(ticks.length);
  expect(Number(await page.getByTestId("waterfall-tick").last().getAttribute("data-ms"))).toBeGreaterThanOrEqual(Math.round(m!.totalMs));
  await shot(page, "07-metrics-waterfall");

  // a reload draws the same rows from the stored metrics
  await page.reload();
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete");
  await openMetrics(page);
  await expect(page.getByTestId("waterfall")).toHaveAttribute("data-source", "requests");
  expect(await waterfallRows(page)).toEqual(rows);
});

test("steps the plan lets run side by side overlap in time, each on its own row of the one time scale", async ({ page }) => {
  test.setTimeout(90_000);
  const frames = recordFrames(page);
  await openChat(page);
  await openMetrics(page);
  // the fake upstream plans this question into two steps that depend on nothing
  await send(page, DOCS_QUESTION);
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 60_000 });
  await expect(page.getByTestId("waterfall")).toHaveAttribute("data-source", "requests");
  const plan = (frames.filter((f) => f.type === "run.plan").at(-1)?.steps ?? []) as { id: string; dependsOn: string[] }[];
  expect(plan.map((p) => p.dependsOn)).toEqual([[], []]);
  const rows = await waterfallRows(page);
  expect(
    rows
      .filter((r) => r.agent !== "reviewer")
      .map((r) => r.role)
      .filter((r) => r !== "classify"),
  ).toEqual(["plan", "step", "step", "synthesis"]);
  expectReviewAfterSynthesis(rows);
  const [a, b] = rows.filter((r) => r.role === "step" && r.agent !== "reviewer");
  expect(new Set([a!.stepId, b!.stepId])).toEqual(new Set(["s1", "s2"]));
  expect(overlaps(a!, b!)).toBe(true);
  // the synthesis waits for both
  const synthesis = rows.find((r) => r.role === "synthesis")!;
  expect(synthesis.start).toBeGreaterThanOrEqual(Math.max(a!.end, b!.end));
  const [m] = completed(frames);
  await expect(page.getByTestId("metric-tps-value")).toHaveText(`${Math.round(m!.tokensPerSecond!)} tok/s`);
});

/** The reviewer's pass, when the run made one: one step request, after the synthesis it reads. */
function expectReviewAfterSynthesis(rows: RowData[]): void {
  const review = rows.filter((r) => r.agent === "reviewer");
  expect(review.length).toBeLessThanOrEqual(1);
  const synthesis = rows.find((r) => r.role === "synthesis")!;
  for (const r of review) {
    expect(r.role).toBe("step");
    expect(r.start).toBeGreaterThanOrEqual(synthesis.end);
  }
}

async function expectReadableChart(chart: Locator, opts: { x: RegExp; y: RegExp; integer?: boolean }) {
  await expect(chart).toBeVisible();
  // one y axis, one series on it, both axes labelled (SVG text), tick labels that never repeat
  await expect(chart.locator(".recharts-yAxis")).toHaveCount(1);
  await expect(chart.locator(".recharts-xAxis")).toHaveCount(1);
  await expect(chart.locator(".recharts-line, .recharts-bar")).toHaveCount(1);
  const labels = await chart.locator("text.recharts-label").allTextContents();
  expect(labels.some((l) => opts.x.test(l))).toBe(true);
  expect(labels.some((l) => opts.y.test(l))).toBe(true);
  // recharts draws tick labels in a layer of their own, named by axis
  await expect(chart.locator(".recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value").first()).toBeVisible();
  const yTicks = await chart.locator(".recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value").allTextContents();
  expect(yTicks.length).toBeGreaterThanOrEqual(2);
  expect(new Set(yTicks).size).toBe(yTicks.length);
  if (opts.integer) expect(yTicks.every((t) => /^\d[\d,]*$/.test(t))).toBe(true);
  const xTicks = await chart.locator(".recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value").allTextContents();
  expect(xTicks.length).toBeGreaterThanOrEqual(1);
  return { xTicks, yTicks };
}

test("the charts read at once: labelled axes with units and times, one measure per axis, empty and one-run states", async ({ page }) => {
  test.setTimeout(90_000);
  const frames = recordFrames(page);
  await openChat(page);
  await openMetrics(page);
  await expect(page.getByTestId("conversation-charts-empty")).toHaveAttribute("data-state", "empty");
  await expect(page.getByTestId("conversation-charts-empty")).toContainText("time to first token");

  await send(page, "First measured question");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await expect(page.getByTestId("conversation-charts-empty")).toHaveAttribute("data-state", "one");
  await send(page, "Second measured question");
  await expect(page.locator('[data-testid="message"][data-role="assistant"]')).toHaveCount(2);
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await expect(page.getByTestId("conversation-charts")).toBeVisible();

  const runs = completed(frames);
  expect(runs).toHaveLength(2);
  const ttft = await expectReadableChart(page.getByTestId("chart-ttft"), { x: /answer/, y: /time \((ms|s)\)/ });
  expect(ttft.xTicks).toEqual(["#1", "#2"]);
  // p50 and p95 of the last answers, as reference lines
  await expect(page.getByTestId("chart-ttft").locator(".recharts-reference-line")).toHaveCount(2);
  await expect(page.getByTestId("chart-ttft")).toContainText("p50");
  await expect(page.getByTestId("chart-ttft")).toContainText("p95");
  await expectReadableChart(page.getByTestId("chart-total"), { x: /answer/, y: /time \((ms|s)\)/ });
  const rate = await expectReadableChart(page.getByTestId("chart-decode-rate"), { x: /model/, y: /tok\/s/ });
  expect(rate.xTicks).toEqual([runs[0]!.model]);
  await expectReadableChart(page.getByTestId("chart-prompt-tokens"), { x: /answer/, y: /tokens/, integer: true });
  await expectReadableChart(page.getByTestId("chart-completion-tokens"), { x: /answer/, y: /tokens/, integer: true });
  await expect(page.getByTestId("metric-conversation-tokens-value")).toHaveText(
    `${count(runs[0]!.promptTokens + runs[1]!.promptTokens)} / ${count(runs[0]!.completionTokens + runs[1]!.completionTokens)}`,
  );

  // the server's resources over the time the panel has been open, one chart per measure, on a "seconds before now" axis
  await expect(page.getByTestId("server-charts")).toBeVisible({ timeout: 15_000 });
  for (const [name, y, integer] of [
    ["rss", /MB/, false],
    ["heap", /MB/, false],
    ["cpu", /%/, false],
    ["lag", /ms/, false],
    ["active-runs", /runs/, true],
    ["connections", /sockets/, true],
    ["runs-per-minute", /runs\/min/, false],
    ["cache-hit-rate", /%/, false],
  ] as const) {
    const { xTicks } = await expectReadableChart(page.getByTestId(`chart-${name}`), { x: /seconds before now/, y, integer });
    expect(xTicks.every((t) => t === "now" || /^−\d+ (s|min)$/.test(t))).toBe(true);
  }
  await page.getByTestId("chart-ttft").scrollIntoViewIfNeeded();
  await shot(page, "08-metrics-conversation-charts");
  await page.getByTestId("chart-rss").scrollIntoViewIfNeeded();
  await shot(page, "09-metrics-server-charts");
});

test("cost and budget: tokens, the window used, and a cost only where the model has a price the user can edit", async ({ page }) => {
  const frames = recordFrames(page);
  await openChat(page);
  await openMetrics(page);
  await send(page, "What will this cost?");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  const [m] = completed(frames);
  // the fake upstream's model has no known price: no price set, not $0
  await expect(page.getByTestId("metric-cost-value")).toHaveText("no price set");
  await expect(page.getByTestId("metric-conversation-cost-value")).toHaveText("no price set");
  await expect(page.getByTestId("context-used")).toHaveAttribute("data-window", String(m!.context!.contextWindow));
  await expect(page.getByTestId("context-used-value")).toContainText(`${count(m!.context!.promptTokens)} of ${count(m!.context!.contextWindow)} tokens`);

  await page.getByTestId("price-table-details").locator("summary").click();
  await page.getByTestId("price-add-current").click();
  const row = page.locator(`[data-testid="price-row"][data-model="${m!.model}"]`);
  await row.getByTestId("price-input").fill("abc");
  await expect(page.getByTestId("price-error")).toContainText('"abc" is not a number');
  await expect(page.getByTestId("metric-cost-value")).toHaveText("no price set");
  await row.getByTestId("price-input").fill("2000");
  await row.getByTestId("price-output").fill("4000");
  await expect(page.getByTestId("price-error")).toHaveCount(0);
  const usd = (m!.promptTokens * 2000 + m!.completionTokens * 4000) / 1_000_000;
  const shown = usd < 100 ? `$${usd.toFixed(2)}` : `$${Math.round(usd).toLocaleString("en-US")}`;
  await expect(page.getByTestId("metric-cost-value")).toHaveText(shown);
  await expect(page.getByTestId("metric-conversation-cost-value")).toHaveText(shown);

  // kept in this browser across a reload
  await page.reload();
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete");
  await openMetrics(page);
  await expect(page.getByTestId("metric-cost-value")).toHaveText(shown);
  await page.getByTestId("price-table-details").locator("summary").click();
  await page.getByTestId("price-reset").click();
  await expect(page.getByTestId("metric-cost-value")).toHaveText("no price set");
});
