import { ChatApp } from "@/components/chat/chat-app";
import { readMaxAttachmentBytes } from "@/lib/attachment-files";
import { readServerUrl } from "@/lib/server-url";

export const dynamic = "force-dynamic";

export default function HomePage() {
  return <ChatApp serverUrl={readServerUrl()} maxAttachmentBytes={readMaxAttachmentBytes()} initialConversationId={null} />;
}
