import { expect, test, type Locator, type Page } from "@playwright/test";
import { lastAssistant, openChat, send, shot } from "./helpers";

/** Fails when the toast's box overlaps any of these controls' boxes. */
async function expectToastClearOf(page: Page, controls: Locator[]): Promise<void> {
  const toast = await page.getByTestId("toast").first().boundingBox();
  expect(toast).not.toBeNull();
  for (const control of controls) {
    if (!(await control.isVisible())) continue;
    const box = (await control.boundingBox())!;
    const overlaps = toast!.x < box.x + box.width && box.x < toast!.x + toast!.width && toast!.y < box.y + box.height && box.y < toast!.y + toast!.height;
    expect(overlaps, `the toast covers ${control}`).toBe(false);
  }
}

const composerControls = (page: Page) => [
  page.getByTestId("composer"),
  page.getByTestId("task-type"),
  page.getByTestId("send"),
  page.getByTestId("metrics-toggle"),
  page.getByTestId("theme-toggle"),
];

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
    // a toast at phone width keeps clear of the composer's controls too
    await page.getByRole("dialog", { name: "Conversations" }).getByRole("button", { name: "Close conversations" }).last().click();
    const user = page.locator('[data-testid="message"][data-role="user"]').last();
    await user.getByTestId("pin-message").click();
    await expect(page.getByTestId("toast")).toBeVisible();
    await expectToastClearOf(page, composerControls(page));
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
  // a new title is not new activity: the renamed conversation keeps its place below the newer one
  await expect(items.first()).toContainText(/volcano|Beta/i);
  await expect(items.nth(1)).toContainText("Penguin notes");

  // search by content
  await page.getByTestId("conversation-search").fill("volcanoes");
  await expect(items).toHaveCount(1);
  await expect(items.first()).toContainText(/volcano|Beta/i);
  await page.getByTestId("conversation-search").fill("");

  // delete the open conversation, then undo: the conversation is back, and open again
  const renamed = items.filter({ hasText: "Penguin notes" });
  await renamed.hover();
  await renamed.getByTestId("delete-conversation").click();
  await expect(items.filter({ hasText: "Penguin notes" })).toHaveCount(0);
  await expect(page).toHaveURL(/\/$/);
  // the toast keeps clear of the composer's controls (the task type first of all) and the header's
  await expect(page.getByTestId("toast")).toBeVisible();
  await expectToastClearOf(page, composerControls(page));
  await page.getByTestId("toast-action").click();
  await expect(items.filter({ hasText: "Penguin notes" })).toHaveCount(1);
  await expect(page).toHaveURL(firstUrl);
  await expect(lastAssistant(page)).toContainText("penguins");
  await expect(page.getByTestId("conversation-title")).toHaveText("Penguin notes");
  await expect(items.filter({ hasText: "Penguin notes" })).toHaveAttribute("aria-current", "page");
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
  // in the dark, a Send that cannot send is drawn quiet, close to the page, not in the bright primary colour
  await expect(page.getByTestId("send")).toHaveAttribute("aria-disabled", "true");
  // polled: the button's colour eases between its states, and a sample mid-transition is neither
  const contrast = async () => {
    const look = await sendLook(page);
    return Math.abs(look.lightness - look.page);
  };
  await expect.poll(contrast, { message: "a disabled Send is drawn close to the page" }).toBeLessThan(0.15);
  await page.getByTestId("composer").fill("Dark mode screenshot");
  await expect(page.getByTestId("send")).not.toHaveAttribute("aria-disabled", "true");
  await expect.poll(contrast, { message: "an enabled Send stands out from the page" }).toBeGreaterThan(0.35);
  await page.getByTestId("composer").press("Enter");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await shot(page, "11-dark");
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.getByTestId("theme-toggle").click();
  await expect(page.getByTestId("theme-toggle")).toHaveAttribute("data-theme", "system");
});

/**
 * The Send button's background as drawn (its colour blended by its opacity over the page's), as an OKLab-like
 * lightness 0..1, beside the page background's: what the eye reads as "lit" or "quiet".
 */
async function sendLook(page: Page): Promise<{ lightness: number; page: number }> {
  return page.evaluate(() => {
    // canvas turns any CSS colour (oklch included) into sRGB bytes
    const ctx = document.createElement("canvas").getContext("2d")!;
    const rgba = (css: string): [number, number, number, number] => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = "#000";
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      return [r! / 255, g! / 255, b! / 255, a! / 255];
    };
    const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    // the cube root of relative luminance: close to OKLab's L for greys
    const lightness = ([r, g, b]: number[]) => Math.cbrt(0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!));
    const send = document.querySelector<HTMLElement>('[data-testid="send"]')!;
    const s = getComputedStyle(send);
    const bg = rgba(getComputedStyle(document.body).backgroundColor);
    const [r, g, b, a] = rgba(s.backgroundColor);
    const alpha = a * Number(s.opacity);
    const drawn = [r * alpha + bg[0] * (1 - alpha), g * alpha + bg[1] * (1 - alpha), b * alpha + bg[2] * (1 - alpha)];
    return { lightness: lightness(drawn), page: lightness(bg) };
  });
}
