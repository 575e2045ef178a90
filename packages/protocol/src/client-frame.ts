import { z } from "zod";
import { idSchema } from "./conversation.js";
import { taskTypeChoiceSchema } from "./task-type.js";

/** Upper bound on a message's characters at the protocol edge; the model's own limit is checked in tokens later. */
export const MAX_MESSAGE_CHARS = 400_000;

const requestId = z.string().min(1).max(128).optional().describe("echoed in the reply so a client can match it");

export const runOptionsSchema = z
  .object({
    taskType: taskTypeChoiceSchema.default("auto"),
    bypassCache: z.boolean().default(false),
    useCacheForCreative: z.boolean().default(false),
    temperature: z.number().min(0).max(2).optional(),
    maxOutputTokens: z.number().int().positive().max(32_768).optional(),
  })
  .strict();
export type RunOptions = z.infer<typeof runOptionsSchema>;

/** files one message may carry */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;

export const helloFrameSchema = z
  .object({
    type: z.literal("hello"),
    protocolVersion: z.number().int().positive(),
    client: z.string().max(100).optional(),
    token: z.string().max(1000).optional().describe("access token when the server sets ALMA_AUTH_TOKEN"),
  })
  .strict();

export const messageSendFrameSchema = z
  .object({
    type: z.literal("message.send"),
    clientMessageId: idSchema.describe("chosen by the client; a resend with the same id is not duplicated"),
    conversationId: idSchema.nullable().default(null).describe("null starts a new conversation"),
    content: z.string().trim().min(1, "the message is empty").max(MAX_MESSAGE_CHARS),
    options: runOptionsSchema.default({ taskType: "auto", bypassCache: false, useCacheForCreative: false }),
    attachmentIds: z
      .array(idSchema)
      .max(MAX_ATTACHMENTS_PER_MESSAGE, `a message may carry at most ${MAX_ATTACHMENTS_PER_MESSAGE} attachments`)
      .default([])
      .describe("files uploaded to the conversation (POST /api/conversations/:id/attachments) that this message sends"),
  })
  .strict();

export const messageEditFrameSchema = z
  .object({
    type: z.literal("message.edit"),
    clientMessageId: idSchema,
    conversationId: idSchema,
    messageId: idSchema.describe("the user message to replace; every later message is removed"),
    content: z.string().trim().min(1, "the message is empty").max(MAX_MESSAGE_CHARS),
    options: runOptionsSchema.default({ taskType: "auto", bypassCache: false, useCacheForCreative: false }),
  })
  .strict();

export const runRegenerateFrameSchema = z
  .object({
    type: z.literal("run.regenerate"),
    conversationId: idSchema,
    options: runOptionsSchema.default({ taskType: "auto", bypassCache: true, useCacheForCreative: false }),
  })
  .strict();

export const runContinueFrameSchema = z
  .object({
    type: z.literal("run.continue"),
    conversationId: idSchema,
    messageId: idSchema.describe("the partial assistant message to continue"),
  })
  .strict();

export const runStopFrameSchema = z.object({ type: z.literal("run.stop"), runId: z.string().min(1).max(128) }).strict();

export const runResumeFrameSchema = z
  .object({
    type: z.literal("run.resume"),
    runId: z.string().min(1).max(128),
    afterIndex: z.number().int().min(-1).describe("the index of the last run event the client has; -1 for none"),
  })
  .strict();

export const conversationListFrameSchema = z.object({ type: z.literal("conversation.list"), requestId, query: z.string().max(500).optional() }).strict();

export const conversationHistoryFrameSchema = z.object({ type: z.literal("conversation.history"), requestId, conversationId: idSchema }).strict();

export const conversationRenameFrameSchema = z
  .object({ type: z.literal("conversation.rename"), requestId, conversationId: idSchema, title: z.string().trim().min(1).max(200) })
  .strict();

export const conversationDeleteFrameSchema = z.object({ type: z.literal("conversation.delete"), requestId, conversationId: idSchema }).strict();

export const conversationRestoreFrameSchema = z.object({ type: z.literal("conversation.restore"), requestId, conversationId: idSchema }).strict();

export const memoryPinFrameSchema = z
  .object({
    type: z.literal("memory.pin"),
    requestId,
    conversationId: idSchema,
    text: z.string().trim().min(1).max(4000).optional(),
    messageId: idSchema.optional(),
  })
  .strict()
  .refine((f) => f.text !== undefined || f.messageId !== undefined, { message: "give the fact's text or the messageId to pin" });

export const memoryUnpinFrameSchema = z.object({ type: z.literal("memory.unpin"), requestId, conversationId: idSchema, factId: idSchema }).strict();

export const metricsSubscribeFrameSchema = z.object({ type: z.literal("metrics.subscribe"), enabled: z.boolean() }).strict();

export const pingFrameSchema = z.object({ type: z.literal("ping"), at: z.number().optional() }).strict();

export const clientFrameSchemas = [
  helloFrameSchema,
  messageSendFrameSchema,
  messageEditFrameSchema,
  runRegenerateFrameSchema,
  runContinueFrameSchema,
  runStopFrameSchema,
  runResumeFrameSchema,
  conversationListFrameSchema,
  conversationHistoryFrameSchema,
  conversationRenameFrameSchema,
  conversationDeleteFrameSchema,
  conversationRestoreFrameSchema,
  memoryPinFrameSchema,
  memoryUnpinFrameSchema,
  metricsSubscribeFrameSchema,
  pingFrameSchema,
] as const;

export const clientFrameSchema = z.discriminatedUnion("type", clientFrameSchemas);
export type ClientFrame = z.infer<typeof clientFrameSchema>;
/** What a client writes: defaults may be left out. */
export type ClientFrameInput = z.input<typeof clientFrameSchema>;
export type ClientFrameType = ClientFrame["type"];
export const clientFrameTypes = clientFrameSchemas.map((s) => s.shape.type.value) as ClientFrameType[];
