import { readMaxAttachmentBytes } from "@/lib/attachment-files";
import { passOnListAttachments, passOnUpload } from "@/lib/attachment-proxy";
import { readServerUrl } from "@/lib/server-url";

export const dynamic = "force-dynamic";

/** `POST /api/conversations/:id/attachments` (multipart, field `file`): streamed on to the server (lib/attachment-proxy). */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return passOnUpload(request, id, readServerUrl(), readMaxAttachmentBytes());
}

/** `GET /api/conversations/:id/attachments`: the conversation's files, so a reload brings the unsent ones back (lib/attachment-proxy). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return passOnListAttachments(request, id, readServerUrl());
}
