import { expect, test, type Page } from "@playwright/test";
import { SCENARIOS, STEADY_ANSWER, steadyStepText } from "./fake-model";
import { expectWholeAnswer, norm, sampleAnswer } from "./answer-samples";
import { lastAssistant, openChat, send } from "./helpers";

// each attempt asks in its own words: the same question again would be answered at once from the response cache
const fresh = (words: string) => `${SCENARIOS.steady}, ${words} (ref ${Math.random().toString(36).slice(2, 8)})`;

async function startSteadyAnswer(page: Page, words: string) {
  await openChat(page);
  await send(page, fresh(words));
  await expect(lastAssistant(page).getByTestId("message-content")).toContainText("n20 ", { timeout: 20_000 });
  await expect(page).toHaveURL(/\/c\/[A-Za-z0-9_-]+$/);
}

test("reload during an answer: every text shown is a prefix of the answer, and it ends whole", async ({ page }) => {
  await startSteadyAnswer(page, "then I reload");
  await page.reload();
  await expect(lastAssistant(page)).toBeVisible();
  const samples = await sampleAnswer(page);
  expectWholeAnswer(samples);
  // it did resume mid-answer: the first text after the reload was already part way
  expect(norm(samples[0]!).length).toBeGreaterThan(0);
  expect(norm(samples[0]!).length).toBeLessThan(norm(STEADY_ANSWER).length);
});

test("a second tab opened during an answer shows it whole, never garbled", async ({ page, context }) => {
  await startSteadyAnswer(page, "while a second tab opens");
  const second = await context.newPage();
  await second.goto(page.url());
  await expect(lastAssistant(second)).toBeVisible();
  const samples = await sampleAnswer(second);
  expectWholeAnswer(samples);
  await second.close();
});

test("a tab left open while another tab sends shows the new message and its answer in place", async ({ page, context }) => {
  await openChat(page);
  await send(page, `first question from the tab that writes (ref ${Math.random().toString(36).slice(2, 8)})`);
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  const firstAnswer = norm((await lastAssistant(page).getByTestId("message-content").textContent()) ?? "");
  const other = await context.newPage();
  await other.goto(page.url());
  await expect(other.locator('[data-testid="message"]')).toHaveCount(2);
  await send(page, fresh("while the other tab watches"));
  await expect(other.locator('[data-testid="message"][data-role="user"]').last()).toContainText("while the other tab watches", { timeout: 20_000 });
  const samples = await sampleAnswer(other);
  expectWholeAnswer(samples);
  await expect(other.locator('[data-testid="message"]')).toHaveCount(4);
  await expect(page.locator('[data-testid="message"]')).toHaveCount(4);
  // the earlier answer is still there, untouched
  expect(norm((await other.locator('[data-testid="message"][data-role="assistant"]').first().getByTestId("message-content").textContent()) ?? "")).toBe(
    firstAnswer,
  );
  await other.close();
});

/** Records every text each step of the last answer shows until the answer completes, by step id. */
async function sampleSteps(page: Page): Promise<Record<string, string[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { __steps: Record<string, string[]> };
    w.__steps = {};
    const read = () => {
      const answers = document.querySelectorAll('[data-testid="message"][data-role="assistant"]');
      for (const step of answers[answers.length - 1]?.querySelectorAll('[data-testid="step-section"]') ?? []) {
        // a pending step shows a placeholder, not text of its own
        if (step.getAttribute("data-status") === "pending") continue;
        const id = step.getAttribute("data-step-id") ?? "?";
        const text = step.querySelector('[data-testid="step-content"]')?.textContent ?? "";
        const seen = w.__steps[id] ?? [];
        w.__steps[id] = seen;
        // "…" stands for a running step that has no text yet
        if (text && text !== "…" && seen.at(-1) !== text) seen.push(text);
      }
    };
    read();
    new MutationObserver(read).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 40_000 });
  return page.evaluate(() => (window as unknown as { __steps: Record<string, string[]> }).__steps);
}

test("reload during an analytical answer: every step's text shown is a prefix of the stored step, and each ends whole", async ({ page }) => {
  await openChat(page);
  await page.getByTestId("task-type").click();
  await page.getByTestId("task-type-analytical").click();
  await send(page, `Please ${SCENARIOS.steadySteps} the options (ref ${Math.random().toString(36).slice(2, 8)})`);
  const steps = lastAssistant(page).getByTestId("step-section");
  await expect(steps.first().getByTestId("step-content")).toContainText("s1w10 ", { timeout: 20_000 });
  await page.reload();
  await expect(lastAssistant(page).getByTestId("step-section").first()).toBeVisible();
  // the progress label comes back with the run's state, not only its text
  await expect(lastAssistant(page).getByTestId("run-progress")).toHaveAttribute("data-phase", /^(step|synthesizing)$/);
  const samples = await sampleSteps(page);
  // the plan's steps (the reviewer's pass over the draft, when the run made one, is not one of them)
  const ids = Object.keys(samples)
    .filter((id) => id !== "review")
    .sort();
  expect(ids).toEqual(["s1", "s2"]);
  for (const [n, id] of ids.entries()) {
    const whole = norm(steadyStepText(String(n + 1)));
    for (const s of samples[id]!) expect(whole.startsWith(norm(s)), `step ${id}: "${norm(s).slice(-60)}" is not a prefix`).toBe(true);
    expect(norm(samples[id]!.at(-1)!)).toBe(whole);
  }
  // the reload landed mid-step: the first step's first sample was part way
  expect(norm(samples.s1![0]!).length).toBeLessThan(norm(steadyStepText("1")).length);
  // the step durations survive the reload (they are part of the run's state and of what is stored)
  await expect(lastAssistant(page).getByTestId("step-duration").first()).toHaveText(/^\d+(\.\d+)? (ms|s)$/);
  // and a second reload after the end shows the same steps, from the store
  await page.reload();
  await expect(lastAssistant(page).getByTestId("step-section").nth(1).getByTestId("step-content")).toHaveText(steadyStepText("2"));
});
