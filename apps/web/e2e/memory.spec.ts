import { expect, test } from "@playwright/test";
import { SCENARIOS } from "./fake-model";
import { lastAssistant, openChat, send } from "./helpers";

test("a stopped answer can be continued: new text is appended to the same message", async ({ page }) => {
  await openChat(page);
  await send(page, `Write a lot, ${SCENARIOS.slow}`);
  const answer = lastAssistant(page);
  await expect(answer.getByTestId("message-content")).toContainText("slow3");
  await page.getByTestId("stop").click();
  await expect(answer).toHaveAttribute("data-status", "stopped");
  const id = await answer.getAttribute("data-message-id");
  const before = ((await answer.getByTestId("message-content").textContent()) ?? "").length;
  await answer.getByTestId("continue").click();
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "streaming");
  await expect.poll(async () => ((await lastAssistant(page).getByTestId("message-content").textContent()) ?? "").length).toBeGreaterThan(before + 10);
  await page.getByTestId("stop").click();
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "stopped");
  await expect(lastAssistant(page)).toHaveAttribute("data-message-id", id ?? "");
  await expect(page.locator('[data-testid="message"][data-role="assistant"]')).toHaveCount(1);
});

test("pin a message to memory, and the context meter shows the window's fill", async ({ page }) => {
  await openChat(page);
  await send(page, "Remember that my favourite colour is teal");
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await expect(page.getByTestId("context-meter")).toBeVisible();
  expect(Number(await page.getByTestId("context-meter").getAttribute("data-fill"))).toBeGreaterThanOrEqual(0);
  // the meter says where the window came from (the e2e stack sets ALMA_CONTEXT_WINDOW)
  await expect(page.getByTestId("context-meter")).toHaveAttribute("data-window-source", "setting");
  await expect(page.getByTestId("context-meter")).toHaveAttribute("aria-label", /8,192-token window, from ALMA_CONTEXT_WINDOW/);
  const user = page.locator('[data-testid="message"][data-role="user"]').first();
  await user.hover();
  await user.getByTestId("pin-message").click();
  await expect(page.getByTestId("toast")).toContainText("Pinned");
  await expect(user.getByTestId("pin-message")).toHaveAttribute("aria-pressed", "true");

  // the conversation's pinned facts have a list of their own, where each can be removed
  const toggle = page.getByTestId("pinned-facts-toggle");
  await expect(toggle).toHaveAttribute("data-count", "1");
  await toggle.click();
  const panel = page.getByTestId("pinned-facts");
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId("pinned-fact")).toHaveCount(1);
  await expect(panel.getByTestId("pinned-fact")).toContainText("my favourite colour is teal");
  await panel.getByTestId("unpin-fact").click();
  await expect(panel.getByTestId("pinned-fact")).toHaveCount(0);
  await expect(panel.getByTestId("pinned-facts-empty")).toBeVisible();
  await expect(toggle).toHaveAttribute("data-count", "0");
  await expect(user.getByTestId("pin-message")).toHaveAttribute("aria-pressed", "false");
  // Esc closes it and gives focus back to its button
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);
  await expect(toggle).toBeFocused();
});
