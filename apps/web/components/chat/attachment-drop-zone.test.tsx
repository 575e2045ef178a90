import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { AttachmentDropZone } from "./attachment-drop-zone";

afterEach(cleanup);

const withFiles = (files: File[]) => ({ dataTransfer: { types: ["Files"], files, dropEffect: "none" } });

describe("the chat's drop zone", () => {
  it("shows while files are dragged over the chat, across its children, and hands the dropped files on", () => {
    const onFiles = vi.fn();
    render(
      <AttachmentDropZone onFiles={onFiles}>
        <p data-testid="inside">messages</p>
      </AttachmentDropZone>,
    );
    const target = screen.getByTestId("drop-target");
    const inside = screen.getByTestId("inside");
    expect(screen.queryByTestId("drop-zone")).toBeNull();
    fireEvent.dragEnter(target, withFiles([]));
    fireEvent.dragEnter(inside, withFiles([]));
    // leaving the child for the area itself is not leaving the area
    fireEvent.dragLeave(inside, withFiles([]));
    expect(screen.getByTestId("drop-zone").textContent).toContain("Drop files to attach them");
    const f = new File(["a,b"], "rows.csv", { type: "text/csv" });
    fireEvent.drop(inside, withFiles([f]));
    expect(onFiles).toHaveBeenCalledExactlyOnceWith([f]);
    expect(screen.queryByTestId("drop-zone")).toBeNull();
  });

  it("lets drags of text pass untouched, and hides when the drag leaves", () => {
    const onFiles = vi.fn();
    render(
      <AttachmentDropZone onFiles={onFiles}>
        <p>messages</p>
      </AttachmentDropZone>,
    );
    const target = screen.getByTestId("drop-target");
    fireEvent.dragEnter(target, { dataTransfer: { types: ["text/plain"], files: [] } });
    expect(screen.queryByTestId("drop-zone")).toBeNull();
    fireEvent.dragEnter(target, withFiles([]));
    expect(screen.getByTestId("drop-zone")).toBeTruthy();
    fireEvent.dragLeave(target, withFiles([]));
    expect(screen.queryByTestId("drop-zone")).toBeNull();
    expect(onFiles).not.toHaveBeenCalled();
  });
});
