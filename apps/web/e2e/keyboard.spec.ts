import { expect, type Page } from "@playwright/test";
import { test } from "@playwright/test";
import { lastAssistant, openChat } from "./helpers";
import { SCENARIOS } from "./fake-model";

/** Presses Tab until the control with this test id has focus; fails if it is not reachable. */
async function tabTo(page: Page, testId: string, max = 250): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if ((await page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? null)) === testId) return;
  }
  throw new Error(`${testId} was not reached with ${max} presses of Tab`);
}

/**
 * Whether focus is visible on the focused control: its outline or box-shadow (or its frame's, for a field
 * drawn inside a ringed box) differs from the same control unfocused.
 */
async function focusIsVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return false;
    const look = () => {
      const parts: string[] = [];
      for (let e: HTMLElement | null = el, depth = 0; e && depth < 3; e = e.parentElement, depth++) {
        const s = getComputedStyle(e);
        parts.push(s.outlineStyle === "none" || parseFloat(s.outlineWidth) === 0 ? "no-outline" : `${s.outlineStyle} ${s.outlineWidth}`, s.boxShadow);
      }
      return parts.join("|");
    };
    const focused = look();
    el.blur();
    const unfocused = look();
    el.focus();
    return focused !== unfocused && document.activeElement === el;
  });
}

async function expectFocused(page: Page, testId: string, name: string | RegExp): Promise<void> {
  const el = page.getByTestId(testId);
  await expect(el).toBeFocused();
  await expect(el).toHaveAccessibleName(name);
  expect(await focusIsVisible(page), `${testId} shows no visible focus`).toBe(true);
}

test("the main controls are reachable with Tab, in order, named for screen readers and visibly focused", async ({ page }) => {
  await openChat(page);

  await tabTo(page, "new-chat");
  await expectFocused(page, "new-chat", "New chat");
  await tabTo(page, "metrics-toggle");
  await expectFocused(page, "metrics-toggle", "Show metrics");
  await tabTo(page, "theme-toggle");
  await expectFocused(page, "theme-toggle", /^Theme: \w+ \(switch to \w+\)$/);
  await tabTo(page, "composer");
  await expectFocused(page, "composer", "Message");
  await page.keyboard.type(`keyboard only, ${SCENARIOS.slow}`);

  await tabTo(page, "task-type");
  await expectFocused(page, "task-type", "Task type");
  // the task type menu opens and closes from the keyboard, giving focus back
  await page.keyboard.press("Enter");
  await expect(page.getByRole("listbox")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("listbox")).toHaveCount(0);
  await expect(page.getByTestId("task-type")).toBeFocused();

  await tabTo(page, "send");
  await expectFocused(page, "send", "Send message");
  await page.keyboard.press("Enter");
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute("data-status", "streaming");

  // while it streams, Stop sits where Send was
  await page.getByTestId("composer").focus();
  await tabTo(page, "stop", 5);
  await expectFocused(page, "stop", "Stop generating");
  await page.keyboard.press("Enter");
  await expect(answer).toHaveAttribute("data-status", "stopped");
});
