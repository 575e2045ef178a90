import { readMaxAttachmentBytes } from "@/lib/attachment-files";
import { passOnUpload } from "@/lib/attachment-proxy";
import { readServerUrl } from "@/lib/server-url";

export const dynamic = "force-dynamic";

/** `POST /api/conversations/:id/attachments` (multipart, field `file`): streamed on to the server (lib/attachment-proxy). */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return passOnUpload(request, id, readServerUrl(), readMaxAttachmentBytes());
}
