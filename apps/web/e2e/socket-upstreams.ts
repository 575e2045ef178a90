import type { Page } from "@playwright/test";
import { UPSTREAM_HEADER } from "./nginx-config";

/**
 * The alma instance behind each WebSocket the page opens, in order: nginx names it in the handshake's response
 * (X-Alma-Upstream), which Chromium reports over the DevTools protocol (Playwright's WebSocket events carry no
 * headers). The list grows as the page opens sockets, across reloads.
 */
export async function watchSocketUpstreams(page: Page): Promise<string[]> {
  const upstreams: string[] = [];
  const cdp = await page.context().newCDPSession(page);
  cdp.on("Network.webSocketHandshakeResponseReceived", (event) => {
    const header = Object.entries(event.response.headers).find(([name]) => name.toLowerCase() === UPSTREAM_HEADER.toLowerCase());
    upstreams.push(header?.[1] ?? "(no header)");
  });
  await cdp.send("Network.enable");
  return upstreams;
}
