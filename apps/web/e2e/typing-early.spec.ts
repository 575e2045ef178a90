import { expect, test, type Page, type WebSocketRoute } from "@playwright/test";
import { lastAssistant } from "./helpers";

/**
 * Issue 11: a new user typing right after the page loads. Letters typed into the server-rendered box
 * before React hydrated it were dropped (and the cut text became the conversation's title), and Enter
 * pressed while the socket was still connecting did nothing.
 */

const userMessages = (page: Page) => page.locator('[data-testid="message"][data-role="user"]');
/** the sidebar entry of the open conversation (the desktop sidebar is always shown at 1280 px) */
const activeSidebarTitle = (page: Page) => page.locator('[data-testid="conversation-item"][aria-current="page"] a > span').first();

/** Counts the message.send frames the page writes, by content, on every socket it opens. */
function countSends(page: Page): Map<string, number> {
  const sends = new Map<string, number>();
  page.on("websocket", (ws) => {
    ws.on("framesent", ({ payload }) => {
      if (typeof payload !== "string") return;
      try {
        const frame = JSON.parse(payload) as { type?: string; content?: string };
        if (frame.type === "message.send" && typeof frame.content === "string") sends.set(frame.content, (sends.get(frame.content) ?? 0) + 1);
      } catch {
        // not an alma frame
      }
    });
  });
  return sends;
}

async function expectSentOnce(page: Page, text: string, sends: Map<string, number>): Promise<void> {
  const user = userMessages(page);
  await expect(user).toHaveCount(1);
  await expect(user.getByTestId("message-content")).toHaveText(text);
  await expect(lastAssistant(page).getByTestId("message-content")).toContainText(`You said: ${text}`);
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  // the title the server made of the first message is the whole text, in the header and the sidebar
  await expect(page.getByTestId("conversation-title")).toHaveText(text);
  await expect(activeSidebarTitle(page)).toHaveText(text);
  expect(Object.fromEntries(sends)).toEqual({ [text]: 1 });
  await expect(page.getByTestId("composer")).toHaveValue("");
}

/**
 * Each run opens a fresh page and types as soon as the box is in the server's HTML. The app's scripts are
 * held until `releaseAfter` characters are typed, so where hydration lands in the typing is decided, not
 * left to timing: after all of it (the slow page that lost everything), mid-word, after the first letter
 * (the "ummer rain" case), and not held at all (as fast as this machine goes).
 */
const RUNS = [
  { name: "all typed before hydration", releaseAfter: Number.POSITIVE_INFINITY },
  { name: "hydration mid-word", releaseAfter: 4 },
  { name: "hydration after the first letter", releaseAfter: 1 },
  { name: "scripts not held", releaseAfter: 0 },
];

test("letters typed before the page hydrates are kept, sent exactly once and become the title", async ({ browser, baseURL }) => {
  for (const [i, run] of RUNS.entries()) {
    const text = `Summer rain ${i + 1}`;
    await test.step(`${run.name}: "${text}"`, async () => {
      const context = await browser.newContext({ baseURL });
      const page = await context.newPage();
      try {
        const sends = countSends(page);
        let release: () => void = () => undefined;
        const released = new Promise<void>((resolve) => (release = resolve));
        if (run.releaseAfter > 0) {
          await page.route("**/_next/static/chunks/**", async (route) => {
            await released;
            await route.continue();
          });
        } else {
          release();
        }

        await page.goto("/", { waitUntil: "commit" });
        const box = page.getByTestId("composer");
        const releaseAt = Math.min(run.releaseAfter, text.length);
        await box.pressSequentially(text.slice(0, releaseAt));
        if (run.releaseAfter > 0) {
          // really typed before hydration: React has not taken over the box yet, so Enter could not send
          expect(await box.evaluate((el) => Object.keys(el).some((k) => k.startsWith("__react")))).toBe(false);
        }
        release();
        if (releaseAt < text.length) await box.pressSequentially(text.slice(releaseAt));

        // hydrated with every letter, and nothing later (a draft restored, the socket opening) wipes them
        await expect(page.getByTestId("send")).toBeEnabled();
        await expect(box).toHaveValue(text);
        await box.press("Enter");
        await expectSentOnce(page, text, sends);
      } finally {
        await context.close();
      }
    });
  }
});

/**
 * Holds the page's socket between the browser and the real server: the page's socket opens, but the
 * handshake gets no answer until release(), so the client stays "connecting" for as long as the test wants.
 */
async function holdSocket(page: Page, onHeld?: (ws: WebSocketRoute, hello: string) => void) {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const sends: string[] = [];
  let connections = 0;
  await page.routeWebSocket(/\/ws$/, (ws) => {
    connections++;
    const early: string[] = [];
    let server: WebSocketRoute | null = null;
    ws.onMessage((message) => {
      const text = typeof message === "string" ? message : message.toString("utf8");
      const frame = JSON.parse(text) as { type: string; content?: string };
      if (frame.type === "message.send") sends.push(frame.content ?? "");
      if (server) server.send(text);
      else if (frame.type === "hello" && onHeld) onHeld(ws, text);
      else early.push(text);
    });
    void released.then(() => {
      if (onHeld) return;
      server = ws.connectToServer();
      for (const text of early.splice(0)) server.send(text);
    });
  });
  return { release, sends, connections: () => connections };
}

test("Enter while the socket is still connecting queues the message, shows it, and sends it once on connect", async ({ page }) => {
  const held = await holdSocket(page);
  await page.goto("/");
  const box = page.getByTestId("composer");
  const reason = page.getByTestId("composer-reason");
  await expect(reason).toHaveText("Connecting to the server… Enter sends once connected.");
  expect(held.connections()).toBe(1);

  const text = "Sent while connecting";
  await box.fill(text);
  await expect(page.getByTestId("send")).toBeEnabled();
  await box.press("Enter");
  // shown at once, and said to be waiting; nothing reached the server yet
  await expect(userMessages(page).getByTestId("message-content")).toHaveText(text);
  await expect(reason).toHaveText("Sending when connected…");
  await expect(box).toHaveValue("");
  // one at a time: a second message would start a conversation of its own, so it stays in the box
  await box.fill("and a second one");
  await box.press("Enter");
  await expect(box).toHaveValue("and a second one");
  await expect(userMessages(page)).toHaveCount(1);
  expect(held.sends).toEqual([]);

  held.release();
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await expect(lastAssistant(page).getByTestId("message-content")).toContainText(`You said: ${text}`);
  await expect(reason).not.toHaveText("Sending when connected…");
  await expect(page.getByTestId("conversation-title")).toHaveText(text);
  await expect(activeSidebarTitle(page)).toHaveText(text);
  // exactly once, on the one connection; the draft typed meanwhile is still there and now sendable
  expect(held.sends).toEqual([text]);
  expect(held.connections()).toBe(1);
  await expect(box).toHaveValue("and a second one");
  await expect(page.getByTestId("send")).toBeEnabled();
});

test("a queued message fails with a clear error when the connection fails for good", async ({ page }) => {
  let refuse: () => void = () => undefined;
  const sendQueued = new Promise<void>((resolve) => (refuse = resolve));
  await holdSocket(page, (ws) => {
    // the server refuses the handshake (as one with ALMA_AUTH_TOKEN set would) once the message is queued
    void sendQueued.then(() => {
      ws.send(JSON.stringify({ type: "error", code: "unauthorized", message: "This server needs an access token.", retryable: false, frameType: "hello" }));
      ws.close({ code: 1008 });
    });
  });
  await page.goto("/");
  const box = page.getByTestId("composer");
  await expect(page.getByTestId("composer-reason")).toHaveText(/Enter sends once connected/);
  await box.fill("Will not get through");
  await box.press("Enter");
  await expect(page.getByTestId("composer-reason")).toHaveText("Sending when connected…");

  refuse();
  const user = userMessages(page).last();
  const error = user.getByTestId("message-error");
  await expect(error).toBeVisible();
  await expect(error).toHaveAttribute("data-code", "unauthorized");
  await expect(error).toContainText("The message was not sent: this server needs an access token.");
  // the composer says why nothing can be sent now, instead of waiting for ever
  await expect(page.getByTestId("composer-reason")).toHaveText("Not connected: This server needs an access token.");
  await box.fill("another try");
  await expect(page.getByTestId("send")).toBeDisabled();
});
