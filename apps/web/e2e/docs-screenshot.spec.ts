import { expect, test } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { DOCS_HISTORY, DOCS_QUESTION } from "./fake-model";
import { lastAssistant, openChat, send, startConversations } from "./helpers";

/**
 * The README's screenshot, on demand only (`pnpm --filter @alma/web screenshot`, not part of `pnpm test`): a fresh
 * stack whose fake upstream looks like a real model, a few earlier conversations in the sidebar, a real question
 * planned into steps and answered, and the metrics panel open. Written to docs/screenshot.png, or to
 * ALMA_SCREENSHOT_OUT when set (to try it without touching the tracked file).
 */
const out = process.env.ALMA_SCREENSHOT_OUT ?? fileURLToPath(new URL("../../../docs/screenshot.png", import.meta.url));

test.use({ viewport: { width: 1440, height: 900 }, colorScheme: "light", deviceScaleFactor: 1 });

test("docs/screenshot.png: alma answering a real question, with its plan, steps and metrics", async ({ page }) => {
  await openChat(page);
  await startConversations(
    page,
    DOCS_HISTORY.map((h) => ({ content: h.question })),
    "docs",
  );
  await page.reload();
  await expect(page.getByTestId("model-status")).toHaveAttribute("data-state", "ready");
  await expect(page.getByTestId("conversation-item")).toHaveCount(DOCS_HISTORY.length);

  await send(page, DOCS_QUESTION);
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 60_000 });
  await expect(answer.getByTestId("message-content")).toContainText("Recommendation: start with SQLite");

  // the first step folded, so the question, the plan, a step's findings and the whole answer fit in the window
  await answer.getByTestId("step-section").first().getByRole("button").first().click();
  await expect(answer.getByTestId("step-section").first()).toHaveAttribute("data-state", "closed");

  await page.getByTestId("metrics-toggle").click();
  await expect(page.getByTestId("metrics-panel")).toBeVisible();
  // let the panel's server figures arrive and the charts draw
  await page.waitForTimeout(3_000);
  // nothing hovered or focused that would not be there for a reader
  await page.mouse.move(0, 899);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await expect(page.getByRole("tooltip")).toHaveCount(0);

  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: false });
  console.log(`[screenshot] wrote ${out}`);
});
