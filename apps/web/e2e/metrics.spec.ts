import { expect, test } from "@playwright/test";
import { lastAssistant, openChat, recordFrames, send, shot } from "./helpers";

function ms(v: number | null): string {
  if (v === null) return "–";
  if (v < 1000) return `${Math.round(v)} ms`;
  return `${(v / 1000).toFixed(v < 10_000 ? 2 : 1)} s`;
}

test("the metrics panel shows figures that match the run's events, live while streaming", async ({ page }) => {
  const frames = recordFrames(page);
  await openChat(page);
  await page.getByTestId("metrics-toggle").click();
  await expect(page.getByTestId("metrics-panel")).toBeVisible();
  await send(page, "Measure this answer please");
  // live: the completion-token count moves while the answer streams
  await expect(page.getByTestId("metrics-live")).toBeVisible();
  const first = Number(await page.getByTestId("metric-completion-tokens-value").textContent());
  await expect.poll(async () => Number(await page.getByTestId("metric-completion-tokens-value").textContent())).toBeGreaterThan(first);
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await expect(page.getByTestId("metrics-live")).toHaveCount(0);

  const done = frames.find((f) => f.type === "run.completed") as
    | { metrics: { firstTokenMs: number | null; totalMs: number; promptTokens: number; completionTokens: number } }
    | undefined;
  expect(done).toBeDefined();
  const m = done!.metrics;
  await expect(page.getByTestId("metric-completion-tokens-value")).toHaveText(String(m.completionTokens));
  await expect(page.getByTestId("metric-prompt-tokens-value")).toHaveText(String(m.promptTokens));
  await expect(page.getByTestId("metric-ttft-value")).toHaveText(ms(m.firstTokenMs));
  await expect(page.getByTestId("metric-total-value")).toHaveText(ms(m.totalMs));
  expect(frames.filter((f) => f.type === "run.token").length).toBeGreaterThan(0);

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
