import { expect, test } from "@playwright/test";
import { lastAssistant, openChat, send, shot } from "./helpers";

test.describe("phone width (360 px)", () => {
  test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

  test("chat works and nothing overflows sideways", async ({ page }) => {
    await openChat(page);
    await send(page, "Hello from a phone with a fairly long message to wrap");
    await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await shot(page, "08-phone");
    await page.getByTestId("open-sidebar").click();
    await expect(page.getByRole("dialog", { name: "Conversations" }).getByTestId("conversation-item").first()).toBeVisible();
    await shot(page, "09-phone-sidebar");
  });
});

test("sidebar: newest first, open, rename, search, delete with undo", async ({ page }) => {
  await openChat(page);
  await send(page, "Alpha conversation about penguins");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  const firstUrl = page.url();
  await page.getByTestId("new-chat").click();
  await expect(page).toHaveURL(/\/$/);
  await send(page, "Beta conversation about volcanoes");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  const items = page.getByTestId("conversation-item");
  await expect(items.first()).toContainText(/volcano|Beta/i);

  // open the older one through the sidebar
  await items
    .filter({ hasText: /penguin|Alpha/i })
    .first()
    .locator("a")
    .click();
  await expect(page).toHaveURL(firstUrl);
  await expect(lastAssistant(page)).toContainText("penguins");

  // rename
  const item = items.filter({ hasText: /penguin|Alpha/i }).first();
  await item.hover();
  await item.getByTestId("rename-conversation").click();
  await page.getByTestId("rename-input").fill("Penguin notes");
  await page.getByTestId("rename-input").press("Enter");
  await expect(items.filter({ hasText: "Penguin notes" })).toHaveCount(1);

  // search by content
  await page.getByTestId("conversation-search").fill("volcanoes");
  await expect(items).toHaveCount(1);
  await expect(items.first()).toContainText(/volcano|Beta/i);
  await page.getByTestId("conversation-search").fill("");

  // delete, then undo
  const renamed = items.filter({ hasText: "Penguin notes" });
  await renamed.hover();
  await renamed.getByTestId("delete-conversation").click();
  await expect(items.filter({ hasText: "Penguin notes" })).toHaveCount(0);
  await page.getByTestId("toast-action").click();
  await expect(items.filter({ hasText: "Penguin notes" })).toHaveCount(1);
  await shot(page, "10-sidebar");
});

test("theme toggle switches to dark and back to the system default", async ({ page }) => {
  await openChat(page);
  const toggle = page.getByTestId("theme-toggle");
  await expect(toggle).toHaveAttribute("data-theme", "system");
  await toggle.click();
  await expect(page.locator("html")).not.toHaveClass(/dark/);
  await toggle.click();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await send(page, "Dark mode screenshot");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await shot(page, "11-dark");
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.getByTestId("theme-toggle").click();
  await expect(page.getByTestId("theme-toggle")).toHaveAttribute("data-theme", "system");
});
