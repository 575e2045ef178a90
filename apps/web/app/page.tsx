import { ChatApp } from "@/components/chat/chat-app";
import { readServerUrl } from "@/lib/server-url";

export const dynamic = "force-dynamic";

export default function HomePage() {
  return <ChatApp serverUrl={readServerUrl()} initialConversationId={null} />;
}
