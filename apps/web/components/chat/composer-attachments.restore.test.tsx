import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import type { Attachment } from "@alma/protocol";
import { AttachmentApiError } from "@/lib/attachments-api";
import { chips, fakeApi, file, Harness, pick, settle } from "./composer-attachments.test-helpers";

const stored = (id: string, name: string, messageId: string | null = null): Attachment => ({
  id,
  conversationId: "c1",
  messageId,
  name,
  kind: name.endsWith(".csv") ? "csv" : "text",
  mediaType: "text/plain",
  bytes: 12,
  chars: 12,
  tokens: 3,
  pages: null,
  createdAt: 1,
});
const names = () => chips().map((c) => [within(c).getByTestId("attachment-name").textContent, c.dataset.status]);

afterEach(() => {
  cleanup();
  localStorage.clear();
  sessionStorage.clear();
});

describe("the composer's files after a reload", () => {
  it("brings back the conversation's unsent files as ready chips, and sends them with the next message", async () => {
    const { api } = fakeApi([stored("f0", "old.txt", "m1"), stored("f1", "notes.txt"), stored("f2", "sales.csv")]);
    const onSend = vi.fn();
    render(<Harness api={api} onSend={onSend} />);
    await settle();
    expect(api.list).toHaveBeenCalledExactlyOnceWith("c1");
    expect(names()).toEqual([
      ["notes.txt", "ready"],
      ["sales.csv", "ready"],
    ]);
    fireEvent.change(screen.getByTestId("composer"), { target: { value: "sum the sales" } });
    fireEvent.keyDown(screen.getByTestId("composer"), { key: "Enter" });
    expect(onSend).toHaveBeenCalledExactlyOnceWith("sum the sales", [expect.objectContaining({ id: "f1" }), expect.objectContaining({ id: "f2" })]);
  });

  it("says which file was still uploading when the page reloaded, unless the server got it", async () => {
    // the load before the reload: two uploads started, neither answered
    {
      const { api } = fakeApi();
      const view = render(<Harness api={api} onSend={() => undefined} />);
      await settle();
      await pick(file("notes.txt"), file("sales.csv"));
      // a reload does not unmount: the journal is read as the last load left it
      view.unmount();
    }
    vi.resetModules();
    const { Harness: Reloaded, fakeApi: reloadedApi } = await import("./composer-attachments.test-helpers");
    const { api } = reloadedApi([stored("f2", "sales.csv")]);
    render(<Reloaded api={api} onSend={() => undefined} />);
    await settle();
    expect(names()).toEqual([
      ["sales.csv", "ready"],
      ["notes.txt", "failed"],
    ]);
    expect(within(chips()[1]!).getByTestId("attachment-error").textContent).toBe("notes.txt was still uploading when the page reloaded; attach it again.");
    expect(within(chips()[1]!).queryByTestId("attachment-retry")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Remove notes.txt" }));
    expect(names()).toEqual([["sales.csv", "ready"]]);
  });

  it("says so when the files attached earlier cannot be loaded", async () => {
    const { api } = fakeApi(async () => {
      throw new AttachmentApiError("Could not load the files attached earlier: the server answered 503.", 503, "http_error");
    });
    render(<Harness api={api} onSend={() => undefined} />);
    await act(async () => new Promise((r) => setTimeout(r, 0)));
    expect(screen.getByTestId("attachments-restore-error").textContent).toBe(
      "Could not load the files attached earlier: the server answered 503. Reload the page to try again.",
    );
  });

  it("does not list a conversation the page itself created for its first file", async () => {
    const { api, created } = fakeApi();
    render(<Harness api={api} initial={null} onSend={() => undefined} />);
    await pick(file("a.txt"));
    await act(async () => created({ id: "c42", title: "", createdAt: 1, updatedAt: 1, summary: null, summarizedCount: 0 }));
    await settle();
    expect(api.list).not.toHaveBeenCalled();
    expect(names()).toEqual([["a.txt", "uploading"]]);
  });
});
