import { expect, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { controlUrl } from "./ports";

export const screenshotDir = fileURLToPath(new URL("../test-results/screenshots/", import.meta.url));
mkdirSync(screenshotDir, { recursive: true });

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${screenshotDir}${name}.png`, fullPage: false });
}

/** Opens a fresh chat and waits until the socket is open and the model ready (the send button can work). */
export async function openChat(page: Page): Promise<void> {
  await page.goto("/");
  await expect(page.getByTestId("model-status")).toHaveAttribute("data-state", "ready");
  await expect(page.getByTestId("composer")).toBeVisible();
}

export async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByTestId("composer");
  await composer.fill(text);
  await composer.press("Enter");
}

export function lastAssistant(page: Page) {
  return page.locator('[data-testid="message"][data-role="assistant"]').last();
}

export async function dropSockets(): Promise<number> {
  const res = await fetch(`${controlUrl("fake")}/drop-sockets`, { method: "POST" });
  const body = (await res.json()) as { dropped: number };
  return body.dropped;
}

/** Collects every alma server frame the page receives, as the server sent it. */
export function recordFrames(page: Page): Array<Record<string, unknown>> {
  const frames: Array<Record<string, unknown>> = [];
  page.on("websocket", (ws) => {
    ws.on("framereceived", ({ payload }) => {
      if (typeof payload !== "string") return;
      try {
        frames.push(JSON.parse(payload) as Record<string, unknown>);
      } catch {
        // not an alma frame
      }
    });
  });
  return frames;
}
