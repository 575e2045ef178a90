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

export const stepRecordSchema = planStepSchema.extend({
  text: z.string(),
  status: stepStatusSchema,
  note: z.string().nullable().optional().describe("why the step ended early, in words"),
  durationMs: z.number().nonnegative().nullable().optional(),
  completionTokens: z.number().int().nonnegative().nullable().optional(),
  startedAt: z.number().nullable().optional().describe("epoch ms (server clock) when the step started"),
  firstTokenAt: z.number().nullable().optional().describe("epoch ms (server clock) of the step's first token"),
});
export type StepRecord = z.infer<typeof stepRecordSchema>;

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
