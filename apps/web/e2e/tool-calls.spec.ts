import { expect, test, type Page } from "@playwright/test";
import { LOAN_PAYMENT, LOAN_QUESTION } from "./fake-model";
import { lastAssistant, openChat, recordFrames, send, shot } from "./helpers";

/** Records every status a tool call's element shows, in order, as the page renders them. */
async function watchToolStatuses(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __toolStatuses: string[] }).__toolStatuses = seen;
    const note = () => {
      for (const el of document.querySelectorAll<HTMLElement>('[data-testid="tool-call"]')) {
        const s = `${el.dataset.tool}:${el.dataset.status}`;
        if (seen.at(-1) !== s) seen.push(s);
      }
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
  });
}

const toolStatuses = (page: Page) => page.evaluate(() => (window as unknown as { __toolStatuses: string[] }).__toolStatuses);

test("the calculator's tool call shows live in its step, running then its sandbox result, and the answer carries the result; the same after a reload", async ({
  page,
}) => {
  const frames = recordFrames(page);
  await openChat(page);
  await watchToolStatuses(page);
  await send(page, LOAN_QUESTION);

  const answer = lastAssistant(page);
  const calculator = answer.locator('[data-testid="step-section"]').filter({ hasText: "Compute the payment" });
  await expect(calculator).toContainText("calculator");
  const call = calculator.getByTestId("tool-call");
  // the sandbox spends 400 ms before computing: the call is seen running first
  await expect(call).toHaveAttribute("data-status", "running", { timeout: 30_000 });
  await expect(call.getByTestId("tool-call-name")).toHaveText("run_javascript");
  await expect(call.getByTestId("tool-call-code")).toContainText("const monthlyRate = 6 / 100 / 12;");
  await expect(call).toHaveAttribute("data-status", "ok");
  await expect(call.getByTestId("tool-call-result")).toContainText(LOAN_PAYMENT);
  await expect(call.getByTestId("tool-call-duration")).toHaveText(/^\d+(\.\d+)? (ms|s)$/);
  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  await expect(answer.getByTestId("message-content")).toContainText(`The monthly payment is ${LOAN_PAYMENT}`);
  expect(await toolStatuses(page)).toEqual(["run_javascript:running", "run_javascript:ok"]);
  await calculator.scrollIntoViewIfNeeded();
  await shot(page, "tool-call");

  // what the server sent: the call started and completed with the sandbox's value
  const started = frames.find((f) => f.type === "run.tool.started");
  const completed = frames.find((f) => f.type === "run.tool.completed");
  expect(started).toMatchObject({ tool: "run_javascript", agent: "calculator" });
  expect(completed).toMatchObject({ tool: "run_javascript", ok: true });
  expect(String(completed!.result)).toContain(LOAN_PAYMENT);

  // the run's waterfall: the call under its step's request, with its duration
  await page.getByTestId("metrics-toggle").click();
  const mark = page.getByTestId("waterfall-tool");
  await expect(mark).toHaveAttribute("data-tool", "run_javascript");
  await expect(mark).toHaveAttribute("data-status", "ok");
  const stepRow = page.locator('[data-testid="waterfall-row"]').filter({ has: mark });
  await expect(stepRow).toHaveAttribute("data-role", "step");
  await expect(stepRow).toHaveAttribute("data-agent", "calculator");
  // the request after the call is the step's second round, not a retry
  await expect(page.getByTestId("waterfall-round")).toHaveText("round 2");
  await shot(page, "tool-call-waterfall");
  await expect(page.getByTestId("waterfall-retry")).toHaveCount(0);
  await page.getByTestId("metrics-toggle").click();

  await page.reload();
  await expect(page.getByTestId("model-status")).toHaveAttribute("data-state", "ready");
  const stored = lastAssistant(page).locator('[data-testid="step-section"]').filter({ hasText: "Compute the payment" }).getByTestId("tool-call");
  await expect(stored).toHaveAttribute("data-status", "ok");
  await expect(stored.getByTestId("tool-call-result")).toContainText(LOAN_PAYMENT);
  await expect(stored.getByTestId("tool-call-code")).toContainText("const monthlyRate = 6 / 100 / 12;");
  await page.getByTestId("metrics-toggle").click();
  await expect(page.getByTestId("waterfall-tool")).toHaveAttribute("data-tool", "run_javascript");
  await expect(page.getByTestId("waterfall-tool").getByTestId("waterfall-tool-duration")).toHaveText(/^\d+(\.\d+)? (ms|s)$/);
});

test("on a 390 px wide phone the tool call's result is read once, and the waterfall's round badge has room beside its label, clear of the bar", async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openChat(page);
  // a question of its own: the same one again would be answered from the response cache, with no tool call
  await send(page, `${LOAN_QUESTION} (ref ${Math.random().toString(36).slice(2, 8)})`);
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  const result = answer.getByTestId("tool-call-result");
  // the calculator's text says "Result: …" itself: the label is not said (nor in the DOM) twice
  expect((await result.textContent())?.match(/Result/g)).toHaveLength(1);
  // the reviewer's pass, when the run made one, reads after the answer it checks, as "Review", not as a numbered step
  const review = answer.getByTestId("review");
  if ((await review.count()) > 0) {
    await expect(review.getByRole("button", { name: "Review", exact: true })).toBeVisible();
    const [content, reviewBox] = await Promise.all([answer.getByTestId("message-content").boundingBox(), review.boundingBox()]);
    expect(reviewBox!.y).toBeGreaterThanOrEqual(content!.y + content!.height);
    await expect(answer.getByTestId("plan")).not.toContainText("Review");
  }

  await page.getByTestId("metrics-toggle").click();
  const round = page.getByTestId("waterfall-round");
  await expect(round).toHaveText("round 2");
  const row = page.locator('[data-testid="waterfall-row"]').filter({ has: round });
  const [badge, name, bar] = await Promise.all([
    round.boundingBox(),
    row.getByTestId("waterfall-row-name").boundingBox(),
    row.getByTestId("waterfall-bar").boundingBox(),
  ]);
  expect(badge && name && bar).toBeTruthy();
  // beside the label with a gap, and above the bar
  expect(badge!.x).toBeGreaterThanOrEqual(name!.x + name!.width + 4);
  expect(badge!.y + badge!.height).toBeLessThanOrEqual(bar!.y);
  await shot(page, "tool-call-waterfall-390");
});
