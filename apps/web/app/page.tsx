import { ChatApp } from "@/components/chat/chat-app";
import { readMaxAttachmentBytes } from "@/lib/attachment-files";
import { headers } from "next/headers";
import { readServerUrl, serverUrlForPage } from "@/lib/server-url";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  return (
    <ChatApp
      serverUrl={serverUrlForPage(readServerUrl(), (await headers()).get("host"))}
      maxAttachmentBytes={readMaxAttachmentBytes()}
      initialConversationId={null}
    />
  );
}
