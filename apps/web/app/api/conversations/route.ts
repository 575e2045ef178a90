import { passOnCreateConversation } from "@/lib/attachment-proxy";
import { readServerUrl } from "@/lib/server-url";

export const dynamic = "force-dynamic";

/** `POST /api/conversations`: a new conversation on the server, through the page's own origin (lib/attachment-proxy). */
export async function POST(request: Request): Promise<Response> {
  return passOnCreateConversation(request, readServerUrl());
}
