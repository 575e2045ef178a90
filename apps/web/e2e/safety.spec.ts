import { expect, test } from "@playwright/test";
import { SCENARIOS } from "./fake-model";
import { lastAssistant, openChat, send, shot } from "./helpers";

test("XSS payloads in model output render as inert text", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await openChat(page);
  await send(page, SCENARIOS.xss);
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await expect(answer).toContainText("End of payloads.");
  await expect(answer).toContainText("<script>");
  expect(await answer.locator("script, iframe, img, [onerror], [onclick]").count()).toBe(0);
  const hrefs = await answer.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  for (const h of hrefs) expect(h.toLowerCase()).not.toContain("javascript:");
  // clicking the would-be link does nothing either
  await answer.getByText("click me").click();
  expect(await page.evaluate(() => (window as unknown as { __almaXss?: string }).__almaXss)).toBeUndefined();
  expect(dialogs).toEqual([]);
  await shot(page, "07-xss-inert");
});

test("Markdown renders tables, task lists and highlighted code with copy buttons", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await openChat(page);
  await send(page, SCENARIOS.markdown);
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await expect(answer.locator("table td").first()).toHaveText("ttft");
  await expect(answer.locator('input[type="checkbox"]')).toHaveCount(2);
  const block = answer.getByTestId("code-block");
  await expect(block.locator(".hljs-keyword").first()).toHaveText("const");
  await block.getByTestId("copy-code").click();
  await expect(block.getByTestId("copy-code")).toHaveAttribute("data-copied", "true");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain("const answer: number = 42;");
});
