import { expect, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SCENARIOS } from "./fake-model";
import { controlUrl, type StackName } from "./ports";

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

/** The stack's alma server WebSocket URL (from its control endpoint). */
export async function serverUrlOf(stack: StackName = "fake"): Promise<string> {
  const res = await fetch(`${controlUrl(stack)}/info`);
  return ((await res.json()) as { serverUrl: string }).serverUrl;
}

/**
 * Starts one conversation per message, one after another, over a socket of the page's own (so it is the page's
 * origin the server sees), and resolves when every answer is complete.
 */
export async function startConversations(page: Page, messages: Array<{ content: string; taskType?: string }>, stack: StackName = "fake"): Promise<void> {
  const serverUrl = await serverUrlOf(stack);
  await page.evaluate(
    async ({ serverUrl, messages }) => {
      const ws = new WebSocket(serverUrl);
      const frames: Array<{ type: string }> = [];
      let wake: () => void = () => undefined;
      ws.addEventListener("message", (e) => {
        frames.push(JSON.parse(String(e.data)) as { type: string });
        wake();
      });
      const until = (type: string, count: number) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ${type} #${count}: ${JSON.stringify(frames.at(-1))}`)), 15_000);
          const check = () => {
            const error = frames.find((f) => f.type === "error" || f.type === "run.error");
            if (error) {
              clearTimeout(timer);
              reject(new Error(JSON.stringify(error)));
            } else if (frames.filter((f) => f.type === type).length >= count) {
              clearTimeout(timer);
              resolve();
            } else wake = check;
          };
          check();
        });
      await new Promise((resolve, reject) => {
        ws.addEventListener("open", resolve);
        ws.addEventListener("error", reject);
      });
      ws.send(JSON.stringify({ type: "hello", protocolVersion: 1, client: "e2e-seed" }));
      await until("welcome", 1);
      for (const [i, m] of messages.entries()) {
        const options = { taskType: m.taskType ?? "conversational" };
        ws.send(JSON.stringify({ type: "message.send", clientMessageId: `seed${Date.now()}x${i}`, content: m.content, options }));
        await until("run.completed", i + 1);
      }
      ws.close();
    },
    { serverUrl, messages },
  );
}

/** Starts a conversation per title, each answered in one word at once: for tests that need many conversations. */
export async function seedConversations(page: Page, titles: string[]): Promise<void> {
  await startConversations(
    page,
    titles.map((t) => ({ content: `${t} (${SCENARIOS.brief})` })),
  );
}
