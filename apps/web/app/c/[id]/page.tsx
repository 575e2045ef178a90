import { ChatApp } from "@/components/chat/chat-app";
import { readMaxAttachmentBytes } from "@/lib/attachment-files";
import { headers } from "next/headers";
import { readServerUrl, serverUrlForPage } from "@/lib/server-url";

export const dynamic = "force-dynamic";

export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const valid = /^[A-Za-z0-9_-]{1,128}$/.test(id);
  return (
    <ChatApp
      serverUrl={serverUrlForPage(readServerUrl(), (await headers()).get("host"))}
      maxAttachmentBytes={readMaxAttachmentBytes()}
      initialConversationId={valid ? id : null}
    />
  );
}
