import { expect, test } from "@playwright/test";
import { SCENARIOS } from "./fake-model";
import { lastAssistant, openChat, send } from "./helpers";

// Playwright's trace recorder snapshots the DOM inside the page; it would be measured as the page's own work.
test.use({ trace: "off", screenshot: "off" });

test("500 tokens per second stream without a long task over 50 ms", async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
  });
  await openChat(page);
  // creative answers may run to 1024 tokens (conversational ones stop at 256)
  await page.getByTestId("task-type").click();
  await page.getByTestId("task-type-creative").click();
  await page.waitForTimeout(300);
  // only tasks that start after the send count (page load and hydration are not the stream)
  const t0 = await page.evaluate(() => performance.now());
  await send(page, `Please ${SCENARIOS.fast}`);
  // Poll rarely and cheaply: checking the DOM on every frame would itself add work to the page being measured.
  await page.waitForFunction(() => document.querySelector('[data-testid="message"][data-role="assistant"][data-status="complete"]') !== null, null, {
    polling: 500,
    timeout: 30_000,
  });
  const t1 = await page.evaluate(() => performance.now());
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute("data-status", "complete");
  await expect(answer.getByTestId("message-content")).toContainText("w1000");
  // observer callbacks are delivered late: give them a moment
  await page.waitForTimeout(300);
  const all = await page.evaluate(() => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks);
  const during = all.filter((t) => t.start >= t0 && t.start <= t1).map((t) => Math.round(t.duration));
  expect(during, `long tasks while streaming (ms): ${during.join(", ")}`).toEqual([]);
  // the stream really was that fast: 1000 tokens at 500/s take 2 s
  expect(t1 - t0).toBeLessThan(6000);
});
