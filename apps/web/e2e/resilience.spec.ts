import { expect, test } from "@playwright/test";
import { dropSockets, lastAssistant, openChat, send, shot } from "./helpers";

test("a dropped socket shows the banner, reconnects by itself, keeps the draft and finishes the answer", async ({ page }) => {
  await openChat(page);
  await send(page, "Keep streaming through a reconnect");
  const answer = lastAssistant(page);
  await expect(answer.getByTestId("message-content")).toContainText("token3");
  await page.getByTestId("composer").fill("a draft I am still typing");
  expect(await dropSockets()).toBeGreaterThan(0);
  await expect(page.getByTestId("connection-banner")).toBeVisible();
  await shot(page, "05-connection-lost");
  await expect(page.getByTestId("connection-banner")).toBeHidden({ timeout: 20_000 });
  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  const text = (await answer.getByTestId("message-content").textContent()) ?? "";
  // resumed without a gap or a repeat
  expect(text.match(/token1 /g)?.length).toBe(1);
  expect(text).toContain("token30");
  await expect(page.getByTestId("composer")).toHaveValue("a draft I am still typing");
  // the draft survives a reload too
  await page.reload();
  await expect(page.getByTestId("composer")).toHaveValue("a draft I am still typing");
});

test("while the socket is down the model badge says so instead of looking ready, and the page is back within about 2 s of the server", async ({ page }) => {
  // the first connection goes through; once dropped, every attempt is refused until the "server" is back
  let serverUp = true;
  const attempts: number[] = [];
  await page.routeWebSocket(/\/ws$/, (ws) => {
    attempts.push(Date.now());
    if (serverUp) ws.connectToServer();
    else ws.close({ code: 1011, reason: "server restarting" });
  });
  await openChat(page);
  const badge = page.getByTestId("model-status");
  serverUp = false;
  expect(await dropSockets()).toBeGreaterThan(0);
  await expect(page.getByTestId("connection-banner")).toContainText("Connection lost");
  await expect(badge).toHaveAttribute("data-state", "disconnected");
  await expect(badge).toHaveText("disconnected");
  await expect(badge).toHaveAccessibleName(/status is unknown/);
  // refused for a while, so the backoff would have grown past 2 s without its cap
  await page.waitForTimeout(6_000);
  serverUp = true;
  const upAt = Date.now();
  await expect(badge).toHaveAttribute("data-state", "ready", { timeout: 10_000 });
  const next = attempts.find((t) => t >= upAt)!;
  expect(next - upAt, "the next attempt after the server was up came within the 2 s cap").toBeLessThanOrEqual(2_200);
  await expect(page.getByTestId("connection-banner")).toHaveCount(0);
});

test("the first connection to a server still starting says Connecting…, not that it cannot be reached", async ({ page }) => {
  let serverUp = false;
  const attempts: number[] = [];
  await page.routeWebSocket(/\/ws$/, (ws) => {
    attempts.push(Date.now());
    if (serverUp) ws.connectToServer();
    else ws.close({ code: 1011, reason: "starting" });
  });
  // every text the banner shows, as it changes
  await page.addInitScript(() => {
    const w = window as unknown as { __almaBanner: string[] };
    w.__almaBanner = [];
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="connection-banner"]')?.textContent ?? "";
      if (text && w.__almaBanner.at(-1) !== text) w.__almaBanner.push(text);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  await page.goto("/");
  await expect(page.getByTestId("connection-banner")).toHaveAttribute("data-state", "first-connect");
  await expect(page.getByTestId("connection-banner")).toContainText("Connecting to the alma server…");
  await expect(page.getByTestId("model-status")).toHaveText("connecting…");
  // the server takes 4 s to boot, as on a first `npm start`
  await page.waitForTimeout(4_000);
  expect(attempts.length).toBeGreaterThanOrEqual(3);
  serverUp = true;
  const upAt = Date.now();
  await expect(page.getByTestId("model-status")).toHaveAttribute("data-state", "ready", { timeout: 10_000 });
  expect(attempts.find((t) => t >= upAt)! - upAt).toBeLessThanOrEqual(2_200);
  await expect(page.getByTestId("connection-banner")).toHaveCount(0);
  const shown = await page.evaluate(() => (window as unknown as { __almaBanner: string[] }).__almaBanner);
  expect(shown.join(" | ")).not.toContain("Cannot reach");
});
