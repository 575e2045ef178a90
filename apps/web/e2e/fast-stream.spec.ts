import { expect, test } from "@playwright/test";
import { SCENARIOS } from "./fake-model";
import { lastAssistant, openChat, recordFrames, send } from "./helpers";

// How long frames take is bench/browser.bench.ts's business (timings are noise on a shared machine); this test checks
// the behaviour that keeps a fast stream cheap: token frames are folded into at most one render per animation frame.
test.use({ trace: "off", screenshot: "off" });

test("a 500 tokens/s stream arrives whole and renders once per frame, not once per token", async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __renders: number; __watch: () => void };
    w.__renders = 0;
    // one MutationObserver callback per task that changed the DOM: unbatched, that is one per socket message
    w.__watch = () => {
      const list = document.querySelector('[data-testid="message-list"]') ?? document.body;
      new MutationObserver(() => {
        w.__renders += 1;
      }).observe(list, { childList: true, subtree: true, characterData: true });
    };
  });
  const frames = recordFrames(page);
  await openChat(page);
  // creative answers may run to 1024 tokens (conversational ones stop at 256)
  await page.getByTestId("task-type").click();
  await page.getByTestId("task-type-creative").click();
  await page.evaluate(() => (window as unknown as { __watch: () => void }).__watch());
  await send(page, `Please ${SCENARIOS.fast}`);
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  await expect(answer.getByTestId("message-content")).toContainText("w1000");
  const tokenFrames = frames.filter((f) => f.type === "run.token").length;
  const renders = await page.evaluate(() => (window as unknown as { __renders: number }).__renders);
  // the upstream really streamed token by token
  expect(tokenFrames).toBeGreaterThan(500);
  // 1,000 tokens in ~2 s is ~120 animation frames; one render per token would be > 500
  expect(renders, `${renders} DOM updates for ${tokenFrames} token frames`).toBeLessThan(tokenFrames / 3);
});
