import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { AttachmentApiError } from "@/lib/attachments-api";
import { attachmentOf, chips, fakeApi, file, Harness, pick, send } from "./composer-attachments.test-helpers";

const box = () => screen.getByTestId("composer") as HTMLTextAreaElement;
const reason = () => screen.getByTestId("composer-reason").textContent;
const type = (text: string) => fireEvent.change(box(), { target: { value: text } });
const enter = () => fireEvent.keyDown(box(), { key: "Enter" });
const refused = (name: string) => new AttachmentApiError(`${name} is empty.`, 422, "empty_file");

beforeEach(() => localStorage.clear());
afterEach(() => {
  cleanup();
  localStorage.clear();
  sessionStorage.clear();
});

describe("Send and the composer's files", () => {
  it("holds Send while a file that could not be attached remains, with the reason; removing it lets the good files go", async () => {
    const { api, uploads } = fakeApi();
    const onSend = vi.fn();
    render(<Harness api={api} onSend={onSend} />);
    await pick(file("photo.txt"), file("good.csv"));
    await act(async () => {
      uploads[0]!.reject(new AttachmentApiError("photo.txt is named like a text file but it is a PNG image.", 422, "unsupported_media_type"));
      uploads[1]!.resolve({ attachment: attachmentOf(uploads[1]!, "f2", { kind: "csv" }), warnings: [] });
    });
    type("what is in these?");
    expect(reason()).toBe("Remove or retry the files that could not be attached.");
    expect(send().getAttribute("aria-disabled")).toBe("true");
    enter();
    fireEvent.click(send());
    expect(onSend).not.toHaveBeenCalled();
    // the failed chip stays visible until the user removes it
    expect(chips().map((c) => c.dataset.status)).toEqual(["failed", "ready"]);
    fireEvent.click(screen.getByRole("button", { name: "Remove photo.txt" }));
    expect(send().hasAttribute("aria-disabled")).toBe(false);
    enter();
    expect(onSend).toHaveBeenCalledExactlyOnceWith("what is in these?", [expect.objectContaining({ id: "f2" })]);
  });

  it("calls a queued send off with a notice naming the file when it fails meanwhile", async () => {
    const { api, uploads } = fakeApi();
    const onSend = vi.fn();
    render(<Harness api={api} onSend={onSend} />);
    await pick(file("notes.txt"), file("empty.txt", 0));
    type("compare them");
    enter();
    expect(reason()).toBe("Sends when notes.txt and empty.txt are uploaded");
    await act(async () => uploads[1]!.reject(refused("empty.txt")));
    expect(reason()).toBe("The message was not sent: empty.txt could not be attached. Remove or retry it, then send again.");
    await act(async () => uploads[0]!.resolve({ attachment: attachmentOf(uploads[0]!, "f1"), warnings: [] }));
    expect(onSend).not.toHaveBeenCalled();
    expect(box().value).toBe("compare them");
    // once the failed file is gone the notice has done its work, and Enter sends
    fireEvent.click(screen.getByRole("button", { name: "Remove empty.txt" }));
    expect(reason()).toBe("");
    enter();
    expect(onSend).toHaveBeenCalledExactlyOnceWith("compare them", [expect.objectContaining({ id: "f1" })]);
  });

  it("calls a queued send off by its Cancel button or by editing the message", async () => {
    const { api, uploads } = fakeApi();
    const onSend = vi.fn();
    render(<Harness api={api} onSend={onSend} />);
    await pick(file("notes.txt"));
    type("first");
    enter();
    fireEvent.click(screen.getByTestId("cancel-queued-send"));
    expect(screen.queryByTestId("cancel-queued-send")).toBeNull();
    enter();
    type("first, edited");
    expect(screen.queryByTestId("cancel-queued-send")).toBeNull();
    await act(async () => uploads[0]!.resolve({ attachment: attachmentOf(uploads[0]!, "f1"), warnings: [] }));
    expect(onSend).not.toHaveBeenCalled();
    expect(chips()[0]!.dataset.status).toBe("ready");
  });

  it("offers Retry on a file refused for the 10-file limit once a chip is removed, and uploads it then", async () => {
    const { api, uploads } = fakeApi();
    render(<Harness api={api} onSend={() => undefined} />);
    await pick(...Array.from({ length: 11 }, (_, i) => file(`many-${i + 1}.txt`)));
    const eleventh = () => chips()[10]!;
    expect(within(eleventh()).getByTestId("attachment-error").textContent).toBe(
      "A message may carry at most 10 files: send these first, or remove one to attach many-11.txt.",
    );
    expect(within(eleventh()).queryByTestId("attachment-retry")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Remove many-1.txt" }));
    fireEvent.click(within(chips()[9]!).getByRole("button", { name: "Retry uploading many-11.txt" }));
    expect(chips()[9]!.dataset.status).toBe("uploading");
    await act(async () => new Promise((r) => setTimeout(r, 0)));
    expect(uploads.at(-1)!.file.name).toBe("many-11.txt");
  });

  it("moves focus to the next chip's Remove after a removal, and to the message box once none is left", async () => {
    const { api } = fakeApi();
    render(<Harness api={api} onSend={() => undefined} />);
    await pick(file("a.txt"), file("b.txt"));
    const removeA = screen.getByRole("button", { name: "Remove a.txt" });
    removeA.focus();
    fireEvent.click(removeA);
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Remove b.txt" }));
    fireEvent.click(screen.getByRole("button", { name: "Remove b.txt" }));
    expect(chips()).toHaveLength(0);
    expect(document.activeElement).toBe(box());
  });

  it("keeps a chip's width when it is ready: its detail line keeps the room of · uploading…", async () => {
    const { api, uploads } = fakeApi();
    render(<Harness api={api} onSend={() => undefined} />);
    await pick(file("notes.txt"));
    await act(async () => uploads[0]!.resolve({ attachment: attachmentOf(uploads[0]!, "f1"), warnings: [] }));
    expect(within(chips()[0]!).getByTestId("attachment-detail").textContent).toBe("Text · 5 B");
    const room = within(chips()[0]!).getByTestId("attachment-detail-room");
    expect(room.textContent).toBe("Text · 5 B · uploading…");
    expect(room.getAttribute("aria-hidden")).toBe("true");
    expect(room.className).toContain("invisible");
  });
});
