import { expect, test } from "@playwright/test";
import { dropSockets, lastAssistant, openChat, send, shot } from "./helpers";

test("a dropped socket shows the banner, reconnects by itself, keeps the draft and finishes the answer", async ({ page }) => {
  await openChat(page);
  await send(page, "Keep streaming through a reconnect");
  const answer = lastAssistant(page);
  await expect(answer.getByTestId("message-content")).toContainText("token3");
  await page.getByTestId("composer").fill("a draft I am still typing");
  expect(await dropSockets()).toBeGreaterThan(0);
  await expect(page.getByTestId("connection-banner")).toBeVisible();
  await shot(page, "05-connection-lost");
  await expect(page.getByTestId("connection-banner")).toBeHidden({ timeout: 20_000 });
  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  const text = (await answer.getByTestId("message-content").textContent()) ?? "";
  // resumed without a gap or a repeat
  expect(text.match(/token1 /g)?.length).toBe(1);
  expect(text).toContain("token30");
  await expect(page.getByTestId("composer")).toHaveValue("a draft I am still typing");
  // the draft survives a reload too
  await page.reload();
  await expect(page.getByTestId("composer")).toHaveValue("a draft I am still typing");
});
