import { expect, test } from "@playwright/test";
import { SCENARIOS } from "./fake-model";
import { lastAssistant, openChat, send, shot } from "./helpers";

test("stop mid-answer keeps the partial answer, marked stopped", async ({ page }) => {
  await openChat(page);
  await send(page, `Tell me a long story, ${SCENARIOS.slow}`);
  const answer = lastAssistant(page);
  await expect(answer.getByTestId("message-content")).toContainText("slow5");
  await page.getByTestId("stop").click();
  await expect(answer).toHaveAttribute("data-status", "stopped");
  await expect(answer.getByTestId("stopped-marker")).toBeVisible();
  const partial = (await answer.getByTestId("message-content").textContent()) ?? "";
  expect(partial).toContain("slow5");
  expect(partial).not.toContain("slow400");
  // the server stopped the model: the text stops growing (one in-flight token at most)
  await page.waitForTimeout(1000);
  const later = (await answer.getByTestId("message-content").textContent()) ?? "";
  expect(later.length - partial.length).toBeLessThan(20);
  await expect(page.getByTestId("send")).toBeVisible();
  await shot(page, "02-stopped");
  // a reload shows the stored partial answer, still marked stopped
  await page.reload();
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "stopped");
});

test("Esc stops the answer too", async ({ page }) => {
  await openChat(page);
  await send(page, `Another story, ${SCENARIOS.slow}`);
  const answer = lastAssistant(page);
  await expect(answer.getByTestId("message-content")).toContainText("slow3");
  await page.keyboard.press("Escape");
  await expect(answer).toHaveAttribute("data-status", "stopped");
});

test("regenerate replaces the last answer with a new one", async ({ page }) => {
  await openChat(page);
  await send(page, "Regenerate me");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  const firstId = await lastAssistant(page).getAttribute("data-message-id");
  await lastAssistant(page).getByTestId("regenerate").click();
  await expect(lastAssistant(page)).not.toHaveAttribute("data-message-id", firstId ?? "");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await expect(page.locator('[data-testid="message"][data-role="assistant"]')).toHaveCount(1);
  await expect(lastAssistant(page)).toContainText("You said: Regenerate me");
});

test("edit a previous message and resend: later messages are replaced", async ({ page }) => {
  await openChat(page);
  await send(page, "First version");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  const user = page.locator('[data-testid="message"][data-role="user"]').first();
  await user.hover();
  await user.getByTestId("edit-message").click();
  await page.getByTestId("edit-input").fill("Second version");
  await page.getByTestId("edit-save").click();
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await expect(lastAssistant(page)).toContainText("You said: Second version");
  await expect(page.locator('[data-testid="message"]')).toHaveCount(2);
  await expect(page.locator('[data-testid="message"][data-role="user"]')).toHaveText(["Second version"].map((t) => new RegExp(t)));
});

test("an upstream error shows where it happened, and retry works", async ({ page }) => {
  await openChat(page);
  await send(page, `Please ${SCENARIOS.failOnce} now`);
  const error = page.getByTestId("message-error").last();
  await expect(error).toBeVisible({ timeout: 20_000 });
  await expect(error).not.toHaveText("");
  await shot(page, "03-upstream-error");
  await error.getByTestId("retry").click();
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await expect(lastAssistant(page)).toContainText(`You said: Please ${SCENARIOS.failOnce} now`);
  await expect(page.getByTestId("message-error")).toHaveCount(0);
});

test("an analytical run shows its plan, each step streaming in place, and the synthesis", async ({ page }) => {
  await openChat(page);
  await page.getByTestId("task-type").click();
  await page.getByTestId("task-type-analytical").click();
  await expect(page.getByTestId("task-type")).toHaveAttribute("data-value", "analytical");
  await send(page, "Compare SQLite and Postgres for a small chat app");
  const answer = lastAssistant(page);
  await expect(answer.getByTestId("run-progress")).toBeVisible();
  const steps = answer.getByTestId("step-section");
  await expect(steps).toHaveCount(2, { timeout: 20_000 });
  await expect(steps.first()).toContainText("Gather the facts");
  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  await expect(steps.nth(0)).toHaveAttribute("data-status", "complete");
  await expect(steps.nth(1)).toHaveAttribute("data-status", "complete");
  await expect(steps.nth(0).getByTestId("step-content")).toContainText("finding1.");
  await expect(answer.getByTestId("message-content")).toContainText("Synthesis:");
  await expect(answer.getByTestId("task-type-badge")).toHaveText("analytical");
  await shot(page, "04-analytical");
  // a step collapses under its heading
  await steps.nth(0).getByRole("button").first().click();
  await expect(steps.nth(0).getByTestId("step-content")).toBeHidden();
});
