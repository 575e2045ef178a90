import { expect, test } from "@playwright/test";
import { lastAssistant, openChat, recordFrames, send, shot } from "./helpers";

test("a sent message's answer streams in token by token and completes", async ({ page }) => {
  const frames = recordFrames(page);
  const consoleErrors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  const failed: string[] = [];
  page.on("response", (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  const response = await page.goto("/");
  // the page is served with a nonce CSP whose connect-src allows only itself and the alma server
  const csp = response?.headers()["content-security-policy"] ?? "";
  expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+(;|$)/);
  expect(response?.headers()["x-powered-by"]).toBeUndefined();
  await openChat(page);
  // Count distinct renders of the answer's text while it streams.
  await page.evaluate(() => {
    const w = window as unknown as { __almaTexts: string[] };
    w.__almaTexts = [];
    new MutationObserver(() => {
      const el = document.querySelectorAll('[data-testid="message"][data-role="assistant"] [data-testid="message-content"]');
      const last = el[el.length - 1];
      const text = last?.textContent ?? "";
      if (text && w.__almaTexts.at(-1) !== text) w.__almaTexts.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await send(page, "Hello alma, how are you?");

  const user = page.locator('[data-testid="message"][data-role="user"]').last();
  await expect(user).toContainText("Hello alma, how are you?");
  const answer = lastAssistant(page);
  await expect(answer).toHaveAttribute("data-status", "streaming");
  await expect(page.getByTestId("stop")).toBeVisible();
  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await expect(answer.getByTestId("message-content")).toContainText("You said: Hello alma, how are you?");
  await expect(answer.getByTestId("message-content")).toContainText("token30");

  const texts = await page.evaluate(() => (window as unknown as { __almaTexts: string[] }).__almaTexts);
  expect(texts.length).toBeGreaterThanOrEqual(5);
  // each render extends the previous one: the answer grows, it is not replaced
  for (let i = 1; i < texts.length; i++) expect(texts[i]!.startsWith(texts[i - 1]!.replace(/\s+$/, "").slice(0, 10))).toBe(true);

  const tokens = frames.filter((f) => f.type === "run.token");
  expect(tokens.length).toBeGreaterThan(10);
  expect(frames.some((f) => f.type === "run.completed")).toBe(true);

  // the URL names the conversation, and a reload keeps it
  await expect(page).toHaveURL(/\/c\/[A-Za-z0-9_-]+$/);
  await shot(page, "01-streamed-answer");
  await page.reload();
  await expect(page.locator('[data-testid="message"][data-role="assistant"]').last()).toContainText("token30");
  await expect(page.getByTestId("conversation-title")).not.toHaveText("");
  expect(consoleErrors.filter((e) => /Content Security Policy|Hydration|hydrat/i.test(e))).toEqual([]);
  // nothing the pages asked for was missing (a favicon included)
  expect(failed).toEqual([]);
  await expect(page.locator('link[rel="icon"]').first()).toHaveAttribute("href", /\/(favicon\.ico|icon\.svg)/);
  for (const path of ["/favicon.ico", "/icon.svg"]) {
    const icon = await page.request.get(path);
    expect(icon.status(), path).toBe(200);
    expect(icon.headers()["content-type"]).toMatch(/^image\//);
  }
});
