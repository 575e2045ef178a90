import { expect, type Page } from "@playwright/test";
import { STEADY_ANSWER } from "./fake-model";
import { lastAssistant } from "./helpers";

// how live-views.spec.ts and multi-instance.spec.ts watch an answer that a reload, a tab or an instance joins

export const norm = (s: string) => s.replace(/\s+/g, " ").trim();

/** The last answer's text as the page shows it, whitespace folded. */
export async function shownAnswer(page: Page): Promise<string> {
  return norm((await lastAssistant(page).getByTestId("message-content").textContent()) ?? "");
}

/**
 * Records every text the last answer shows from now until it completes (a MutationObserver in the page), so a gap
 * or a duplicate between what history gave and what streamed after shows as a sample that is not a prefix.
 */
export async function sampleAnswer(page: Page): Promise<string[]> {
  await page.evaluate(() => {
    const w = window as unknown as { __samples: string[] };
    w.__samples = [];
    const read = () => {
      const all = document.querySelectorAll('[data-testid="message"][data-role="assistant"] [data-testid="message-content"]');
      const text = all[all.length - 1]?.textContent ?? "";
      if (text && w.__samples.at(-1) !== text) w.__samples.push(text);
    };
    read();
    new MutationObserver(read).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 40_000 });
  return page.evaluate(() => (window as unknown as { __samples: string[] }).__samples);
}

/** every sample is a prefix of the steady answer (no gap, no token twice) and the last is all of it */
export function expectWholeAnswer(samples: string[]): void {
  expect(samples.length).toBeGreaterThan(3);
  for (const s of samples) expect(norm(STEADY_ANSWER).startsWith(norm(s)), `"${norm(s).slice(-60)}" is not a prefix of the answer`).toBe(true);
  expect(norm(samples.at(-1)!)).toBe(norm(STEADY_ANSWER));
}
