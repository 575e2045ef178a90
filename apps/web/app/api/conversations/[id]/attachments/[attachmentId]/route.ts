import { passOnDeleteAttachment } from "@/lib/attachment-proxy";
import { readServerUrl } from "@/lib/server-url";

export const dynamic = "force-dynamic";

/** `DELETE /api/conversations/:id/attachments/:attachmentId`: removes a file not sent yet (lib/attachment-proxy). */
export async function DELETE(request: Request, { params }: { params: Promise<{ id: string; attachmentId: string }> }): Promise<Response> {
  const { id, attachmentId } = await params;
  return passOnDeleteAttachment(request, id, attachmentId, readServerUrl());
}
