// @vitest-environment node
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { passOnCreateConversation, passOnDeleteAttachment, passOnListAttachments, passOnUpload } from "./attachment-proxy";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

/** A stand-in for the alma server on 127.0.0.1:0: records what reaches it and answers as told. */
async function upstream(answer: (seen: Seen) => { status: number; body: unknown }): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      const a = answer(s);
      res.writeHead(a.status, { "content-type": "application/json", "x-internal": "no" }).end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `ws://127.0.0.1:${(server!.address() as AddressInfo).port}/ws`, seen };
}

/** The browser's upload as the route receives it: a multipart body, streamed (no Content-Length). */
function uploadRequest(bytes: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}): Request {
  const form = new FormData();
  form.append("file", new File([bytes], "notes.txt", { type: "text/plain" }));
  const encoded = new Request("http://127.0.0.1:3000/x", { method: "POST", body: form });
  const contentType = encoded.headers.get("content-type")!;
  return new Request("http://127.0.0.1:3000/api/conversations/c1/attachments", {
    method: "POST",
    headers: { "content-type": contentType, ...headers },
    body: encoded.body,
    duplex: "half",
  } as RequestInit);
}

describe("the web app's attachment routes", () => {
  it("streams an upload on to the server with its multipart type and the browser's Authorization, and the answer back", async () => {
    const up = await upstream(() => ({ status: 201, body: { attachment: { id: "a1" }, warnings: [] } }));
    const res = await passOnUpload(uploadRequest(new TextEncoder().encode("hello file"), { authorization: "Bearer t0ken-abcdefgh" }), "c1", up.url, 1024);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ attachment: { id: "a1" }, warnings: [] });
    expect(res.headers.get("x-internal")).toBeNull();
    const [s] = up.seen;
    expect(s!.method).toBe("POST");
    expect(s!.url).toBe("/api/conversations/c1/attachments");
    expect(s!.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(s!.headers.authorization).toBe("Bearer t0ken-abcdefgh");
    expect(s!.body.toString()).toContain('filename="notes.txt"');
    expect(s!.body.toString()).toContain("hello file");
  });

  it("cuts off an upload past the file limit with 413 and a message for the user", async () => {
    const up = await upstream(() => ({ status: 201, body: {} }));
    const res = await passOnUpload(uploadRequest(new Uint8Array(200 * 1024).fill(97)), "c1", up.url, 1024);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toBe("The file is larger than the 1.0 KB a file may be. Attach a smaller file or split it.");
    // a declared length over the limit is refused before anything is read
    const declared = new Request("http://127.0.0.1:3000/api/conversations/c1/attachments", {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=x", "content-length": String(10 * 1024 * 1024) },
      body: "x",
    });
    expect((await passOnUpload(declared, "c1", up.url, 1024)).status).toBe(413);
    // the cut-off upload never reached the server whole
    expect(up.seen).toHaveLength(0);
  });

  it("passes the server's refusal back as it is, and refuses what is not an upload", async () => {
    const up = await upstream(() => ({ status: 415, body: { error: "unsupported_media_type", message: "photo.txt is a PNG image, not text." } }));
    const res = await passOnUpload(uploadRequest(new Uint8Array([0x89, 0x50])), "c1", up.url, 1024);
    expect(res.status).toBe(415);
    expect(((await res.json()) as { message: string }).message).toBe("photo.txt is a PNG image, not text.");
    const json = new Request("http://127.0.0.1:3000/api/conversations/c1/attachments", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(((await (await passOnUpload(json, "c1", up.url, 1024)).json()) as { message: string }).message).toMatch(/multipart\/form-data/);
    expect((await passOnUpload(uploadRequest(new Uint8Array(1)), "a/b", up.url, 1024)).status).toBe(400);
    expect(up.seen).toHaveLength(1);
  });

  it("creates a conversation and deletes an unsent attachment on the server", async () => {
    const up = await upstream((s) =>
      s.method === "DELETE" ? { status: 200, body: { deleted: true } } : { status: 201, body: { id: "c9", title: "New chat" } },
    );
    const created = await passOnCreateConversation(new Request("http://127.0.0.1:3000/api/conversations", { method: "POST", body: "" }), up.url);
    expect(created.status).toBe(201);
    expect(up.seen[0]).toMatchObject({ method: "POST", url: "/api/conversations" });
    expect(up.seen[0]!.body.toString()).toBe("{}");
    expect(up.seen[0]!.headers["content-type"]).toBe("application/json");
    const deleted = await passOnDeleteAttachment(new Request("http://127.0.0.1:3000/x", { method: "DELETE" }), "c9", "a1", up.url);
    expect(deleted.status).toBe(200);
    expect(up.seen[1]).toMatchObject({ method: "DELETE", url: "/api/conversations/c9/attachments/a1" });
  });

  it("lists a conversation's files from the server with the browser's Authorization, and refuses what is not an id", async () => {
    const listed = { attachments: [{ id: "a1", messageId: null }] };
    const up = await upstream(() => ({ status: 200, body: listed }));
    const res = await passOnListAttachments(
      new Request("http://127.0.0.1:3000/api/conversations/c9/attachments", { headers: { authorization: "Bearer t0ken-abcdefgh" } }),
      "c9",
      up.url,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual(listed);
    expect(up.seen[0]).toMatchObject({ method: "GET", url: "/api/conversations/c9/attachments" });
    expect(up.seen[0]!.headers.authorization).toBe("Bearer t0ken-abcdefgh");
    expect((await passOnListAttachments(new Request("http://127.0.0.1:3000/x"), "../metrics", up.url)).status).toBe(400);
    expect(up.seen).toHaveLength(1);
  });

  it("says when the server cannot be reached", async () => {
    const up = await upstream(() => ({ status: 200, body: {} }));
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = null;
    const res = await passOnUpload(uploadRequest(new Uint8Array(3)), "c1", up.url, 1024);
    expect(res.status).toBe(502);
    expect(((await res.json()) as { message: string }).message).toMatch(/could not be reached\. Check that it is running, then retry\.$/);
  });
});
