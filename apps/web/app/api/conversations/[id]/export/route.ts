import { passOnExport } from "@/lib/export-proxy";
import { readServerUrl } from "@/lib/server-url";

export const dynamic = "force-dynamic";

/** `GET /api/conversations/:id/export?format=markdown|json`: the server's export, through the page's own origin (lib/export-proxy). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return passOnExport(request, id, readServerUrl());
}
