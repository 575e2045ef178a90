import { describe, expect, it } from "vitest";
import type { Attachment } from "@alma/protocol";
import { type AttachmentChip, chipsReducer, chipsWaitReason, NEW_CHAT, readyAttachments } from "./attachment-chips";

const chip = (localId: string, over: Partial<AttachmentChip> = {}): AttachmentChip => ({
  localId,
  key: "c1",
  name: `${localId}.txt`,
  size: 10,
  kind: "text",
  status: "uploading",
  error: null,
  retryable: false,
  limited: false,
  attachment: null,
  warnings: [],
  ...over,
});
const attachment = (id: string): Attachment => ({
  id,
  conversationId: "c1",
  messageId: null,
  name: `${id}.pdf`,
  kind: "pdf",
  mediaType: "application/pdf",
  bytes: 10,
  chars: 5,
  tokens: 2,
  pages: 2,
  createdAt: 1,
});

describe("the composer's chips", () => {
  it("go uploading → ready with the server's attachment (its kind wins), or failed with the message", () => {
    let s = chipsReducer([], { type: "added", chips: [chip("a"), chip("b")] });
    expect(chipsWaitReason(s)).toBe("Waiting for 2 files to finish uploading…");
    s = chipsReducer(s, { type: "uploaded", localId: "a", result: { attachment: attachment("f1"), warnings: ["row 3: broken quote"] } });
    s = chipsReducer(s, { type: "failed", localId: "b", error: "b.txt is empty", retryable: false });
    expect(s.map((c) => [c.status, c.kind, c.error])).toEqual([
      ["ready", "pdf", null],
      ["failed", "text", "b.txt is empty"],
    ]);
    expect(chipsWaitReason(s)).toBeNull();
    expect(readyAttachments(s).map((a) => a.id)).toEqual(["f1"]);
    s = chipsReducer(s, { type: "uploading", localId: "b" });
    expect(s[1]).toMatchObject({ status: "uploading", error: null });
    expect(chipsWaitReason(s)).toBe("Waiting for the file to finish uploading…");
  });

  it("a chip removed while uploading stays removed when its upload ends", () => {
    let s = chipsReducer([chip("a")], { type: "removed", localId: "a" });
    s = chipsReducer(s, { type: "uploaded", localId: "a", result: { attachment: attachment("f1"), warnings: [] } });
    expect(s).toEqual([]);
  });

  it("the new chat's chips move to the conversation the first one created", () => {
    const s = chipsReducer([chip("a", { key: NEW_CHAT }), chip("b", { key: "c2" })], { type: "moved", to: "c9" });
    expect(s.map((c) => c.key)).toEqual(["c9", "c2"]);
  });

  it("a send takes the conversation's ready and failed chips, never another conversation's or one still uploading", () => {
    const s = chipsReducer([chip("a", { status: "ready" }), chip("b", { status: "failed" }), chip("c"), chip("d", { key: "c2", status: "ready" })], {
      type: "sent",
      key: "c1",
    });
    expect(s.map((c) => c.localId)).toEqual(["c", "d"]);
  });
});
