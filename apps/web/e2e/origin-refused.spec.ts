import { createServer, connect, type Socket } from "node:net";
import { expect, test } from "@playwright/test";
import { shot } from "./helpers";
import { STACKS } from "./ports";

/**
 * The stack's web app under another address, as a LAN IP or another port would be: a TCP forward from a free port,
 * so the browser's Origin is one the server's ALMA_ALLOWED_ORIGINS does not list (it lists the stack's own port).
 */
async function webAppElsewhere(): Promise<{ url: string; close(): Promise<void> }> {
  const open = new Set<Socket>();
  const forward = createServer((browser) => {
    const web = connect(STACKS.fake.webPort, "127.0.0.1");
    for (const s of [browser, web]) {
      open.add(s);
      s.on("close", () => open.delete(s));
      s.on("error", () => s.destroy());
    }
    browser.pipe(web).pipe(browser);
  });
  await new Promise<void>((resolve) => forward.listen(0, "127.0.0.1", resolve));
  const address = forward.address();
  if (!address || typeof address === "string") throw new Error("the forward has no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        forward.close(() => resolve());
      }),
  };
}

test("a page opened from an address not in ALMA_ALLOWED_ORIGINS says the server refused it and what to change, and stops retrying", async ({ page }) => {
  const elsewhere = await webAppElsewhere();
  try {
    const sockets: string[] = [];
    page.on("websocket", (ws) => sockets.push(ws.url()));
    await page.goto(elsewhere.url);

    const banner = page.getByTestId("connection-banner");
    await expect(banner).toHaveAttribute("data-state", "origin-refused");
    await expect(banner).toContainText(`The alma server refused this page's address (${elsewhere.url}).`);
    await expect(banner).toContainText(
      "Add it to ALMA_ALLOWED_ORIGINS in the server's settings (.env at the repo root; the setting replaces the defaults, so list every address you open alma at) and restart the server.",
    );
    await expect(banner).not.toContainText("Cannot reach");
    // the list says why it is empty instead of loading forever
    const listError = page.getByTestId("sidebar").first().getByTestId("conversations-error");
    await expect(listError).toHaveText("Cannot load conversations: the alma server refused this page's address.");
    await expect(page.getByTestId("conversations-loading")).toHaveCount(0);
    // the model badge no longer says connecting…, and the composer says why it cannot send
    await expect(page.getByTestId("model-status")).toHaveAttribute("data-state", "disconnected");
    await expect(page.getByTestId("composer-reason")).toContainText(/Not connected: .*ALMA_ALLOWED_ORIGINS/);
    await shot(page, "origin-refused");

    // no retry loop: the page would have retried several times by now (its backoff is capped at 2 s)
    await page.waitForTimeout(5_000);
    expect(sockets).toHaveLength(1);
    await expect(banner).toHaveAttribute("data-state", "origin-refused");

    // Try again opens one socket, refused again
    await page.getByRole("button", { name: "Try again" }).click();
    await expect.poll(() => sockets.length).toBe(2);
    await expect(banner).toHaveAttribute("data-state", "origin-refused");
    await page.waitForTimeout(3_000);
    expect(sockets).toHaveLength(2);

    // The HTTP API is not refused by origin: the page calls the web app's own /api routes, which pass the request on
    // server to server (no Origin). A conversation that does not exist is the alma server's own 404.
    const answer = await page.evaluate(async () => {
      const res = await fetch(`/api/conversations/${crypto.randomUUID()}/attachments`);
      return { status: res.status, body: (await res.json()) as { error?: string } };
    });
    expect(answer).toEqual({ status: 404, body: expect.objectContaining({ error: "not_found" }) });
  } finally {
    await elsewhere.close();
  }
});

test("the same web app from a listed address connects as before", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("model-status")).toHaveAttribute("data-state", "ready");
  await expect(page.getByTestId("connection-banner")).toHaveCount(0);
  await expect(page.getByTestId("conversations-error")).toHaveCount(0);
});
