// @vitest-environment node
import { describe, expect, it, vi } from "vitest";
import { passOnExport } from "./export-proxy";

const SERVER = "ws://127.0.0.1:8787/ws";
const page = (path: string, headers: Record<string, string> = {}) => new Request(`http://127.0.0.1:3000${path}`, { headers });

describe("the web app's export route", () => {
  it("passes the request on to the server's endpoint, with the browser's Authorization, and the answer back with its file name", async () => {
    const fetch = vi.fn(
      async () =>
        new Response("# Trip\n", {
          status: 200,
          headers: { "content-type": "text/markdown; charset=utf-8", "content-disposition": 'attachment; filename="trip.md"', "x-internal": "no" },
        }),
    );
    const res = await passOnExport(page("/api/conversations/c1/export?format=markdown", { authorization: "Bearer s3cret-token-1234" }), "c1", SERVER, fetch);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("http://127.0.0.1:8787/api/conversations/c1/export?format=markdown");
    expect(init.headers).toEqual({ authorization: "Bearer s3cret-token-1234" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="trip.md"');
    expect(res.headers.get("x-internal")).toBeNull();
    expect(await res.text()).toBe("# Trip\n");
  });

  it("adds no token of its own, and passes the server's refusal back as it is", async () => {
    const fetch = vi.fn(async () => Response.json({ error: "unauthorized", message: "Send the server's access token." }, { status: 401 }));
    const res = await passOnExport(page("/api/conversations/c1/export?format=json"), "c1", SERVER, fetch);
    expect((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].headers).toEqual({});
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toBe("Send the server's access token.");
  });

  it("refuses what the server's endpoint would not be asked, and says when the server cannot be reached", async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError("fetch failed");
    });
    expect((await passOnExport(page("/api/conversations/x/export?format=pdf"), "x", SERVER, fetch)).status).toBe(400);
    expect((await passOnExport(page("/api/conversations/a%2Fb/export"), "a/b", SERVER, fetch)).status).toBe(400);
    expect(fetch).not.toHaveBeenCalled();
    const res = await passOnExport(page("/api/conversations/c1/export"), "c1", SERVER, fetch);
    expect(res.status).toBe(502);
    expect(((await res.json()) as { message: string }).message).toBe(
      "The alma server at ws://127.0.0.1:8787/ws could not be reached. Check that it is running, then retry.",
    );
    // markdown when the format is left out, as on the server
    expect((fetch.mock.calls[0] as unknown as [string])[0]).toBe("http://127.0.0.1:8787/api/conversations/c1/export?format=markdown");
  });
});
