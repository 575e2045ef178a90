import * as React from "react";
import { vi } from "vitest";
import { act, fireEvent, screen } from "@testing-library/react";
import type { Attachment, Conversation } from "@alma/protocol";
import { TooltipProvider } from "@/components/ui/tooltip";
import type { AttachmentsApi, UploadResult } from "@/lib/attachments-api";
import { useAttachments } from "@/lib/use-attachments";
import { Composer } from "./composer";

export interface PendingUpload {
  conversationId: string;
  file: File;
  signal: AbortSignal | undefined;
  resolve(r: UploadResult): void;
  reject(e: unknown): void;
}

/** The HTTP boundary, held by the test: each upload waits until the test answers it. */
export function fakeApi(listed: Attachment[] | (() => Promise<Attachment[]>) = []) {
  const uploads: PendingUpload[] = [];
  let answerCreate: ((c: Conversation) => void) | null = null;
  const api: AttachmentsApi = {
    createConversation: vi.fn(
      () =>
        new Promise<Conversation>((resolve) => {
          answerCreate = resolve;
        }),
    ),
    upload: vi.fn(
      (conversationId: string, file: File, signal?: AbortSignal) =>
        new Promise<UploadResult>((resolve, reject) => uploads.push({ conversationId, file, signal, resolve, reject })),
    ),
    remove: vi.fn(async () => undefined),
    list: vi.fn(async () => (typeof listed === "function" ? listed() : listed)),
  };
  return { api, uploads, created: (c: Conversation) => answerCreate!(c) };
}

export const attachmentOf = (p: PendingUpload, id: string, over: Partial<Attachment> = {}): Attachment => ({
  id,
  conversationId: p.conversationId,
  messageId: null,
  name: p.file.name,
  kind: "text",
  mediaType: "text/plain",
  bytes: p.file.size,
  chars: p.file.size,
  tokens: 1,
  pages: null,
  createdAt: 1,
  ...over,
});

export function Harness({ api, initial = "c1", onSend }: { api: AttachmentsApi; initial?: string | null; onSend(text: string, files: Attachment[]): void }) {
  const [conversationId, setConversationId] = React.useState(initial);
  const attachments = useAttachments({ conversationId, api, maxBytes: 1024, onCreated: (c) => setConversationId(c.id) });
  return (
    <TooltipProvider>
      <p data-testid="open-conversation">{conversationId ?? "new"}</p>
      <Composer
        conversationId={conversationId}
        streaming={false}
        disabledReason={null}
        maxChars={null}
        taskType="auto"
        onTaskTypeChange={() => undefined}
        onSend={(text) => onSend(text, attachments.take())}
        onStop={() => undefined}
        attachments={attachments}
      />
    </TooltipProvider>
  );
}

export const file = (name: string, size = 5, type = "text/plain") => new File(["x".repeat(size)], name, { type });
export const settle = () => act(async () => new Promise((r) => setTimeout(r, 0)));
/** picks files with the paperclip's input; their uploads start once the conversation is known (a microtask later) */
export const pick = async (...files: File[]) => {
  fireEvent.change(screen.getByTestId("attach-input"), { target: { files } });
  await settle();
};
export const chips = () => screen.queryAllByTestId("attachment-chip");
export const send = () => screen.getByTestId("send");
