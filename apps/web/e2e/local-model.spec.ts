import { expect, test } from "@playwright/test";
import { lastAssistant, openChat, send, shot } from "./helpers";

test("with the embedded local model, an answer streams into the page", async ({ page }) => {
  await openChat(page);
  await page.getByTestId("task-type").click();
  await page.getByTestId("task-type-conversational").click();
  await send(page, "Once upon a time");
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute("data-status", /streaming|complete/);
  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 45_000 });
  expect(((await answer.getByTestId("message-content").textContent()) ?? "").trim().length).toBeGreaterThan(0);
  await shot(page, "12-local-model");
});
