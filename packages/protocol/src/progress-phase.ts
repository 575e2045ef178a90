import { z } from "zod";

export const progressPhaseSchema = z.enum([
  "queued",
  "classifying",
  "recalling_memory",
  "planning",
  "step",
  "synthesizing",
  "generating",
  "retrying",
  "cache_hit",
  "done",
]);
export type ProgressPhase = z.infer<typeof progressPhaseSchema>;
