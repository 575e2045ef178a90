import multipart from "@fastify/multipart";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { idSchema } from "@alma/protocol";
import { StoreError, type ConversationStore } from "@alma/store";
import type { AttachmentLimits } from "@alma/tools";
import { readUpload } from "../attachments/read-upload.js";
import { uploadAttachment } from "../attachments/upload-attachment.js";

/** `/api/conversations/:id/attachments` */
export const attachmentsParams = z.object({ id: idSchema });
/** `/api/conversations/:id/attachments/:attachmentId` */
export const attachmentParams = z.object({ id: idSchema, attachmentId: idSchema });

const NOT_FOUND = { error: "not_found", message: "No such conversation (it may have been deleted)." };

/** how far past the limit an upload is still read (and counted) so the refusal can say the file's size */
export function uploadHardCap(maxBytes: number): number {
  return Math.max(maxBytes * 4, 64 * 1024 * 1024);
}

/**
 * A conversation's files: `POST` uploads one (multipart, field `file`) and answers 201 `{ attachment, warnings }` with
 * its extracted text stored; `GET` lists them (metadata); `DELETE …/:attachmentId` removes one not sent yet. Registered
 * inside the conversations API, so its token guard and rate limit apply.
 */
export const attachmentsApiPlugin: FastifyPluginAsyncZod<{ store: ConversationStore; limits: AttachmentLimits }> = async (app, o) => {
  await app.register(multipart, { limits: { fileSize: uploadHardCap(o.limits.maxBytes) } });

  app.post("/api/conversations/:id/attachments", { schema: { params: attachmentsParams } }, async (request, reply) => {
    if (!(await o.store.getConversation(request.params.id))) return reply.code(404).send(NOT_FOUND);
    const read = await readUpload(request, o.limits.maxBytes, uploadHardCap(o.limits.maxBytes));
    if (!read.ok) return reply.code(read.status).send({ error: read.error, message: read.message });
    const outcome = await uploadAttachment(o.store, request.params.id, read.file, o.limits);
    if (!outcome.ok) return reply.code(outcome.status).send({ error: outcome.error, message: outcome.message });
    request.log.info(
      { conversationId: request.params.id, attachmentId: outcome.attachment.id, kind: outcome.attachment.kind, bytes: outcome.attachment.bytes },
      "attachment stored",
    );
    return reply.code(201).send({ attachment: outcome.attachment, warnings: outcome.warnings });
  });

  app.get("/api/conversations/:id/attachments", { schema: { params: attachmentsParams } }, async (request, reply) => {
    if (!(await o.store.getConversation(request.params.id))) return reply.code(404).send(NOT_FOUND);
    return { attachments: await o.store.listAttachments(request.params.id) };
  });

  app.delete("/api/conversations/:id/attachments/:attachmentId", { schema: { params: attachmentParams } }, async (request, reply) => {
    const { id, attachmentId } = request.params;
    if (!(await o.store.getConversation(id))) return reply.code(404).send(NOT_FOUND);
    try {
      if (!(await o.store.removeAttachment(id, attachmentId))) {
        return reply.code(404).send({ error: "not_found", message: "This conversation has no such file (it may have been removed already)." });
      }
    } catch (error) {
      if (error instanceof StoreError && error.code === "conflict") return reply.code(409).send({ error: "conflict", message: error.message });
      throw error;
    }
    return reply.code(204).send();
  });
};
