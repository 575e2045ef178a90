import { describe, expect, it, vi } from "vitest";
import { downloadConversation, exportPath, fallbackFileName, fileNameFromDisposition, serverExportUrl } from "./export-conversation";

describe("where an export comes from", () => {
  it("is the server's HTTP API beside its WebSocket", () => {
    expect(serverExportUrl("ws://127.0.0.1:8787/ws", "abc_1", "markdown")).toBe("http://127.0.0.1:8787/api/conversations/abc_1/export?format=markdown");
    expect(serverExportUrl("wss://alma.example/alma/ws", "x", "json")).toBe("https://alma.example/alma/api/conversations/x/export?format=json");
  });
  it("is fetched by the page through the web app's route of the same path", () => {
    expect(exportPath("abc_1", "json")).toBe("/api/conversations/abc_1/export?format=json");
  });
});

describe("the file name", () => {
  it("is the server's, from Content-Disposition", () => {
    expect(fileNameFromDisposition('attachment; filename="trip-plan.md"')).toBe("trip-plan.md");
    expect(fileNameFromDisposition("attachment; filename=trip.json")).toBe("trip.json");
    expect(fileNameFromDisposition("attachment; filename=\"a.md\"; filename*=UTF-8''caf%C3%A9.md")).toBe("café.md");
    expect(fileNameFromDisposition('attachment; filename="../../etc/passwd"')).toBe(".._.._etc_passwd");
    expect(fileNameFromDisposition("attachment")).toBeNull();
    expect(fileNameFromDisposition(null)).toBeNull();
  });

  it("else is made of the title, or the id", () => {
    expect(fallbackFileName("Plan a trip to Kyōto!", "c1", "markdown")).toBe("plan-a-trip-to-kyoto.md");
    expect(fallbackFileName("", "c1", "json")).toBe("conversation-c1.json");
    expect(fallbackFileName(null, "c1", "json")).toBe("conversation-c1.json");
  });
});

describe("downloadConversation", () => {
  it("fetches the export (with the token as a Bearer header when there is one) and saves it under the server's name", async () => {
    const fetch = vi.fn(
      async () =>
        new Response("# Trip", { status: 200, headers: { "content-type": "text/markdown", "content-disposition": 'attachment; filename="trip.md"' } }),
    );
    const save = vi.fn();
    const name = await downloadConversation({
      conversationId: "c1",
      format: "markdown",
      title: "Trip",
      token: "s3cret-token-1234",
      fetch,
      save,
    });
    expect(name).toBe("trip.md");
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/conversations/c1/export?format=markdown");
    expect(init.headers).toEqual({ Authorization: "Bearer s3cret-token-1234" });
    expect(save).toHaveBeenCalledOnce();
    const [blob, fileName] = save.mock.calls[0] as [Blob, string];
    expect(fileName).toBe("trip.md");
    expect(await blob.text()).toBe("# Trip");
  });

  it("sends no Authorization header without a token, and rejects with the server's message", async () => {
    const fetch = vi.fn(async () => Response.json({ error: "not_found", message: "No such conversation (it may have been deleted)." }, { status: 404 }));
    const save = vi.fn();
    await expect(downloadConversation({ conversationId: "gone", format: "json", title: null, fetch, save })).rejects.toThrow(
      "No such conversation (it may have been deleted).",
    );
    expect((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].headers).toEqual({});
    expect(save).not.toHaveBeenCalled();
  });
});
