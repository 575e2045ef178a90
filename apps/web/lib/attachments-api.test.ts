import { describe, expect, it, vi } from "vitest";
import { AttachmentApiError, createAttachmentsApi } from "./attachments-api";

const attachment = {
  id: "f1",
  conversationId: "c1",
  messageId: null,
  name: "notes.txt",
  kind: "text",
  mediaType: "text/plain",
  bytes: 5,
  chars: 5,
  tokens: 2,
  pages: null,
  createdAt: 1,
};

describe("the page's attachment API", () => {
  it("uploads the file as multipart to the web app's route and reads the server's answer", async () => {
    const fetch = vi.fn(async () => Response.json({ attachment, warnings: ["line 2 is empty"] }, { status: 201 }));
    const result = await createAttachmentsApi(fetch).upload("c1", new File(["hello"], "notes.txt", { type: "text/plain" }));
    expect(result).toEqual({ attachment, warnings: ["line 2 is empty"] });
    const [path, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(path).toBe("/api/conversations/c1/attachments");
    expect(init.method).toBe("POST");
    expect((init.body as FormData).get("file")).toBeInstanceOf(File);
  });

  it("rejects with the server's message for the user, and says whether a retry may help", async () => {
    const refused = vi.fn(async () => Response.json({ error: "unsupported_media_type", message: "photo.txt is a PNG image, not text." }, { status: 415 }));
    const error = await createAttachmentsApi(refused)
      .upload("c1", new File(["x"], "photo.txt"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttachmentApiError);
    expect(error).toMatchObject({ message: "photo.txt is a PNG image, not text.", status: 415, retryable: false });

    const busy = vi.fn(async () => new Response("<html>", { status: 503, statusText: "Service Unavailable" }));
    const down = await createAttachmentsApi(busy)
      .upload("c1", new File(["x"], "a.txt"))
      .catch((e: unknown) => e);
    expect(down).toMatchObject({ message: "Could not upload a.txt: the server answered 503 Service Unavailable.", retryable: true });

    const offline = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    const gone = await createAttachmentsApi(offline)
      .createConversation()
      .catch((e: unknown) => e);
    expect(gone).toMatchObject({
      message: "Could not start a conversation for the files: the web app could not be reached. Check the connection and retry.",
      retryable: true,
    });
  });

  it("refuses an answer that is not what the server sends", async () => {
    const odd = vi.fn(async () => Response.json({ attachment: { id: "f1" } }, { status: 201 }));
    await expect(createAttachmentsApi(odd).upload("c1", new File(["x"], "a.txt"))).rejects.toThrow(/the server's answer was not understood/);
  });

  it("creates a conversation and deletes an unsent file", async () => {
    const fetch = vi.fn(async (path: string) =>
      path === "/api/conversations"
        ? Response.json({ id: "c9", title: "New chat", createdAt: 1, updatedAt: 1, summary: null, summarizedCount: 0 }, { status: 201 })
        : new Response(null, { status: 204 }),
    );
    const api = createAttachmentsApi(fetch as unknown as typeof globalThis.fetch);
    expect((await api.createConversation()).id).toBe("c9");
    await api.remove("c9", "f1");
    expect(fetch.mock.calls[1]).toEqual(["/api/conversations/c9/attachments/f1", expect.objectContaining({ method: "DELETE" })]);
  });

  it("lists a conversation's files from the web app's route, and refuses a listing it cannot read", async () => {
    const sent = { ...attachment, id: "f0", messageId: "m1" };
    const fetch = vi.fn(async () => Response.json({ attachments: [sent, attachment] }));
    expect(await createAttachmentsApi(fetch).list("c1")).toEqual([sent, attachment]);
    expect(fetch.mock.calls[0]).toEqual(["/api/conversations/c1/attachments", expect.objectContaining({ method: "GET" })]);
    const odd = vi.fn(async () => Response.json([attachment]));
    await expect(createAttachmentsApi(odd).list("c1")).rejects.toThrow(
      "Could not load the files attached earlier: the server's answer was not understood. Retry, or reload the page.",
    );
  });
});
