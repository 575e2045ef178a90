import { z } from "zod";

export const taskTypeSchema = z.enum(["creative", "analytical", "conversational"]).describe("How the Manager Agent handles a task");
export type TaskType = z.infer<typeof taskTypeSchema>;

/** What the user may ask for: a fixed type, or `auto` to let the classifier decide. */
export const taskTypeChoiceSchema = z.enum(["auto", "creative", "analytical", "conversational"]);
export type TaskTypeChoice = z.infer<typeof taskTypeChoiceSchema>;

export const classificationSchema = z.object({
  type: taskTypeSchema,
  source: z.enum(["rules", "model", "user"]).describe("Who decided: the rule-based classifier, the model, or a user override"),
  confidence: z.number().min(0).max(1),
});
export type Classification = z.infer<typeof classificationSchema>;
