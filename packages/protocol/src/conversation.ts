import { z } from "zod";
import { taskTypeSchema } from "./task-type.js";
import { finishReasonSchema, usageSchema } from "./usage.js";
import { runMetricsSchema } from "./run-metrics.js";

export const idSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, "ids use letters, digits, _ and -");

export const messageStatusSchema = z
  .enum(["complete", "streaming", "stopped", "failed", "interrupted"])
  .describe(
    "complete: finished normally; streaming: a run is producing it; stopped: the user stopped it (partial); failed: an error ended it (partial); interrupted: the server went down (partial)",
  );
export type MessageStatus = z.infer<typeof messageStatusSchema>;

export const planStepSchema = z.object({
  id: z.string(),
  title: z.string(),
  agent: z.string(),
  dependsOn: z.array(z.string()),
});
export type PlanStep = z.infer<typeof planStepSchema>;

export const stepStatusSchema = z.enum(["pending", "running", "complete", "truncated", "failed", "stopped"]);
export type StepStatus = z.infer<typeof stepStatusSchema>;

export const toolCallRecordSchema = z.object({
  id: z.string().describe("the call's id (the model's tool_call id, or one alma made)"),
  tool: z.string(),
  arguments: z.string().describe("the arguments as the model wrote them (JSON text, cut to 2,000 characters)"),
  status: z.enum(["running", "ok", "error"]),
  result: z.string().nullable().describe("what the tool gave, as the model read it (cut to 2,000 characters); null while running or on error"),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  durationMs: z.number().nonnegative().nullable(),
  startedAt: z.number().nullable().describe("epoch ms (server clock) when the call started"),
});
export type ToolCallRecord = z.infer<typeof toolCallRecordSchema>;

export const stepRecordSchema = planStepSchema.extend({
  text: z.string(),
  status: stepStatusSchema,
  note: z.string().nullable().optional().describe("why the step ended early, in words"),
  durationMs: z.number().nonnegative().nullable().optional(),
  completionTokens: z.number().int().nonnegative().nullable().optional(),
  startedAt: z.number().nullable().optional().describe("epoch ms (server clock) when the step started"),
  firstTokenAt: z.number().nullable().optional().describe("epoch ms (server clock) of the step's first token"),
  tools: z.array(toolCallRecordSchema).optional().describe("the tool calls the step's worker made, in order"),
});
export type StepRecord = z.infer<typeof stepRecordSchema>;

export const attachmentKindSchema = z.enum(["text", "markdown", "csv", "json", "pdf"]);

export const attachmentSchema = z.object({
  id: idSchema,
  conversationId: idSchema,
  messageId: idSchema.nullable().describe("the user message it was sent with; null until a message names it"),
  name: z.string(),
  kind: attachmentKindSchema,
  mediaType: z.string(),
  bytes: z.number().int().nonnegative().describe("the file's size"),
  chars: z.number().int().nonnegative().describe("the length of its extracted text"),
  tokens: z.number().int().nonnegative().describe("its extracted text's size in tokens (estimated)"),
  pages: z.number().int().positive().nullable().describe("PDFs: the number of pages"),
  createdAt: z.number(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const messageSchema = z.object({
  id: idSchema,
  conversationId: idSchema,
  role: z.enum(["user", "assistant", "system"]),
  content: z.string(),
  status: messageStatusSchema,
  createdAt: z.number(),
  clientMessageId: z.string().nullable(),
  runId: z.string().nullable(),
  taskType: taskTypeSchema.nullable(),
  pinned: z.boolean(),
  steps: z.array(stepRecordSchema).nullable(),
  finishReason: finishReasonSchema.nullable(),
  usage: usageSchema.nullable(),
  metrics: runMetricsSchema.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  attachments: z.array(attachmentSchema).optional().describe("files sent with a user message"),
});
export type Message = z.infer<typeof messageSchema>;

export const pinnedFactSchema = z.object({
  id: idSchema,
  conversationId: idSchema,
  text: z.string(),
  messageId: idSchema.nullable(),
  createdAt: z.number(),
});
export type PinnedFact = z.infer<typeof pinnedFactSchema>;

export const conversationSchema = z.object({
  id: idSchema,
  title: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  summary: z.string().nullable().describe("running summary of messages evicted from the context window"),
  summarizedCount: z.number().int().nonnegative(),
});
export type Conversation = z.infer<typeof conversationSchema>;
