import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { AttachmentApiError } from "@/lib/attachments-api";
import { attachmentOf, chips, fakeApi, file, Harness, type PendingUpload, pick, send, settle } from "./composer-attachments.test-helpers";
import { MessageAttachments } from "./message-attachments";

beforeEach(() => localStorage.clear());
afterEach(() => {
  cleanup();
  localStorage.clear();
});

describe("the composer's files", () => {
  it("shows a picked file uploading, Enter queues the send with the file's name, and it goes once the file is ready", async () => {
    const { api, uploads } = fakeApi();
    const onSend = vi.fn();
    render(<Harness api={api} onSend={onSend} />);
    expect(screen.getByTestId("attach").getAttribute("aria-label")).toBe("Attach files");
    await pick(file("notes.txt"));
    expect(chips()).toHaveLength(1);
    expect(chips()[0]!.dataset.status).toBe("uploading");
    expect(within(chips()[0]!).getByTestId("attachment-detail").textContent).toBe("Text · 5 B · uploading…");
    fireEvent.change(screen.getByTestId("composer"), { target: { value: "summarize it" } });
    expect(screen.getByTestId("composer-reason").textContent).toBe("Waiting for the file to finish uploading… Enter sends the message once it is done.");
    fireEvent.keyDown(screen.getByTestId("composer"), { key: "Enter" });
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByTestId("composer-reason").textContent).toBe("Sends when notes.txt is uploaded");
    expect(screen.getByTestId("cancel-queued-send")).toBeTruthy();
    expect(send().getAttribute("aria-disabled")).toBe("true");

    expect(uploads[0]!.conversationId).toBe("c1");
    await act(async () => uploads[0]!.resolve({ attachment: attachmentOf(uploads[0]!, "f1"), warnings: [] }));
    expect(onSend).toHaveBeenCalledExactlyOnceWith("summarize it", [expect.objectContaining({ id: "f1", name: "notes.txt" })]);
    expect(chips()).toHaveLength(0);
    expect((screen.getByTestId("composer") as HTMLTextAreaElement).value).toBe("");
    expect(screen.queryByTestId("cancel-queued-send")).toBeNull();
  });

  it("shows the server's refusal on the chip; a failure a retry may fix offers Retry; Remove deletes an uploaded file", async () => {
    const { api, uploads } = fakeApi();
    render(<Harness api={api} onSend={() => undefined} />);
    await pick(file("photo.txt"), file("flaky.csv"), file("keep.md"));
    await act(async () => {
      uploads[0]!.reject(new AttachmentApiError("photo.txt is a PNG image, not text: rename it to .png or attach a text file.", 415, "unsupported_media_type"));
      uploads[1]!.reject(new AttachmentApiError("Could not upload flaky.csv: the server answered 503.", 503, "http_error"));
      uploads[2]!.resolve({ attachment: attachmentOf(uploads[2]!, "f3", { kind: "markdown" }), warnings: [] });
    });
    const [photo, flaky, keep] = chips();
    expect(photo!.dataset.status).toBe("failed");
    expect(within(photo!).getByTestId("attachment-error").textContent).toBe("photo.txt is a PNG image, not text: rename it to .png or attach a text file.");
    expect(within(photo!).queryByTestId("attachment-retry")).toBeNull();
    expect(within(flaky!).getByRole("button", { name: "Retry uploading flaky.csv" })).toBeTruthy();
    fireEvent.click(within(flaky!).getByTestId("attachment-retry"));
    expect(chips()[1]!.dataset.status).toBe("uploading");
    await settle();
    expect(uploads).toHaveLength(4);
    await act(async () => uploads[3]!.resolve({ attachment: attachmentOf(uploads[3]!, "f2"), warnings: ["row 4: a quote is not closed"] }));
    expect(within(chips()[1]!).getByTestId("attachment-warning").textContent).toBe("row 4: a quote is not closed");
    fireEvent.click(within(keep!).getByRole("button", { name: "Remove keep.md" }));
    expect(api.remove).toHaveBeenCalledExactlyOnceWith("c1", "f3");
    expect(chips().map((c) => within(c).getByTestId("attachment-name").textContent)).toEqual(["photo.txt", "flaky.csv"]);
  });

  it("tells the kind, size and per-message limits before uploading", async () => {
    const { api, uploads } = fakeApi();
    render(<Harness api={api} onSend={() => undefined} />);
    await pick(file("big.txt", 4096), file("slides.pptx", 5, "application/vnd.ms-powerpoint"), ...Array.from({ length: 11 }, (_, i) => file(`n${i}.txt`)));
    const failed = chips().filter((c) => c.dataset.status === "failed");
    expect(failed.map((c) => within(c).getByTestId("attachment-error").textContent)).toEqual([
      "big.txt is 4.0 KB; a file may be at most 1.0 KB. Attach a smaller file or split it.",
      "alma cannot read slides.pptx: attach text (.txt), Markdown (.md), CSV (.csv), JSON (.json) or PDF (.pdf).",
      "A message may carry at most 10 files: send these first, or remove one to attach n10.txt.",
    ]);
    // only the ten that fit were uploaded
    expect(uploads.map((u) => u.file.name)).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}.txt`));
  });

  it("in a new chat the first files create one conversation, and the page then belongs to it", async () => {
    const { api, uploads, created } = fakeApi();
    render(<Harness api={api} initial={null} onSend={() => undefined} />);
    fireEvent.change(screen.getByTestId("composer"), { target: { value: "compare these two" } });
    await pick(file("a.txt"), file("b.txt"));
    expect(api.createConversation).toHaveBeenCalledTimes(1);
    expect(uploads).toHaveLength(0);
    await act(async () => created({ id: "c42", title: "New chat", createdAt: 1, updatedAt: 1, summary: null, summarizedCount: 0 }));
    await settle();
    expect(screen.getByTestId("open-conversation").textContent).toBe("c42");
    expect(uploads.map((u) => [u.conversationId, u.file.name])).toEqual([
      ["c42", "a.txt"],
      ["c42", "b.txt"],
    ]);
    // the chips and the typed text came along with the page
    expect(chips()).toHaveLength(2);
    expect((screen.getByTestId("composer") as HTMLTextAreaElement).value).toBe("compare these two");
    expect(localStorage.getItem("alma.draft.c42")).toBe("compare these two");
    expect(localStorage.getItem("alma.draft.new")).toBeNull();
  });

  it("attaches pasted files, and leaves a paste of text alone", async () => {
    const { api, uploads } = fakeApi();
    render(<Harness api={api} onSend={() => undefined} />);
    const box = screen.getByTestId("composer");
    fireEvent.paste(box, { clipboardData: { files: [file("pasted.json", 5, "application/json")], types: ["Files"] } });
    await settle();
    expect(uploads.map((u) => u.file.name)).toEqual(["pasted.json"]);
    fireEvent.paste(box, { clipboardData: { files: [file("image.png", 5, "image/png")], types: ["text/plain", "Files"] } });
    expect(chips()).toHaveLength(1);
  });

  it("cancels an upload removed before it ends", async () => {
    const { api, uploads } = fakeApi();
    render(<Harness api={api} onSend={() => undefined} />);
    await pick(file("slow.txt"));
    fireEvent.click(screen.getByRole("button", { name: "Remove slow.txt" }));
    expect(uploads[0]!.signal?.aborted).toBe(true);
    expect(chips()).toHaveLength(0);
    expect(api.remove).not.toHaveBeenCalled();
  });
});

describe("a message's files", () => {
  it("shows each file's name, kind and size, and a PDF's pages", () => {
    const base = attachmentOf({ conversationId: "c1", file: file("x.txt") } as PendingUpload, "f1");
    render(
      <MessageAttachments
        attachments={[
          { ...base, id: "f1", name: "report.pdf", kind: "pdf", bytes: 2048, pages: 170 },
          { ...base, id: "f2", name: "rows.csv", kind: "csv", bytes: 300 },
        ]}
      />,
    );
    const shown = screen.getAllByTestId("message-attachment");
    expect(shown.map((c) => c.textContent)).toEqual(["report.pdfPDF · 2.0 KB · 170 pages", "rows.csvCSV · 300 B"]);
    expect(screen.queryByRole("button")).toBeNull();
  });
});
