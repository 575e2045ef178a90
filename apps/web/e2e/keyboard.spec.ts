import { expect, type Page } from "@playwright/test";
import { test } from "@playwright/test";
import { lastAssistant, openChat, seedConversations, send } from "./helpers";
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

const focusedTestId = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? null);

/** Puts the keyboard back at the top of the page, as on arriving there with nothing focused: the next Tab is the first stop. */
async function focusTopOfPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    const body = document.body;
    body.tabIndex = -1;
    body.focus();
    body.removeAttribute("tabindex");
  });
}

test("with 20 conversations the message box is a few Tabs away, the skip link comes first, and a chat page starts in the box", async ({ page }) => {
  await openChat(page);
  await seedConversations(
    page,
    Array.from({ length: 20 }, (_, i) => `Keyboard seed ${i + 1}`),
  );
  await page.reload();
  await expect(page.getByTestId("model-status")).toHaveAttribute("data-state", "ready");
  await expect.poll(() => page.getByTestId("conversation-item").count()).toBeGreaterThanOrEqual(20);

  // the page starts in the message box
  await expect(page.getByTestId("composer")).toBeFocused();

  // from the top of the page: the skip link is the first stop, visible when focused, and lands in the box
  await focusTopOfPage(page);
  await page.keyboard.press("Tab");
  const skip = page.getByTestId("skip-to-composer");
  await expect(skip).toBeFocused();
  await expect(skip).toHaveAccessibleName("Skip to message box");
  const box = await skip.boundingBox();
  expect(box && box.width > 20 && box.height > 10, "the focused skip link is visible").toBe(true);
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("composer")).toBeFocused();
  await expect(page).toHaveURL(/\/$/);

  // without it: the sidebar's list is one stop however long it is, so the box is still a few Tabs away
  await focusTopOfPage(page);
  let presses = 0;
  const stops: Array<string | null> = [];
  while ((await focusedTestId(page)) !== "composer" && presses < 40) {
    await page.keyboard.press("Tab");
    presses++;
    stops.push(await focusedTestId(page));
  }
  expect(presses, `Tab stops before the box: ${stops.join(", ")}`).toBeLessThanOrEqual(10);
  expect(stops.filter((id) => id === "conversation-link")).toHaveLength(1);

  // in the list: arrows move between conversations, Right reaches a row's actions
  await page.getByTestId("conversation-link").first().focus();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByTestId("conversation-link").nth(1)).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByTestId("conversation-item").nth(1).getByTestId("rename-conversation")).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByTestId("conversation-item").nth(1).getByTestId("delete-conversation")).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  // Enter opens it, and a conversation page starts in the box too once loaded
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/c\/[A-Za-z0-9_-]+$/);
  const url = page.url();
  await page.goto(url);
  await expect(page.getByTestId("composer")).toBeFocused();
  await send(page, "typed straight away");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
});

test("the disabled Send is itself a named, focusable button whose tooltip says why", async ({ page }) => {
  await openChat(page);
  const sendButton = page.getByTestId("send");
  await expect(sendButton).toHaveAttribute("aria-disabled", "true");
  await expect(sendButton).toBeDisabled();
  await page.getByTestId("composer").focus();
  await tabTo(page, "send", 5);
  await expectFocused(page, "send", "Send message");
  // no unnamed wrapper took a stop on the way: the stop before Send is the task type
  await page.keyboard.press("Shift+Tab");
  await expect(page.getByTestId("task-type")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("tooltip")).toContainText("Type a message to send.");
  // Enter on it sends nothing
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("message")).toHaveCount(0);
});
