import type { z } from "zod";

export interface FrameIssue {
  path: string;
  message: string;
}

/** Flattens zod issues (including those inside a union branch) into path + message pairs a person can read. */
export function formatZodIssues(error: z.ZodError): FrameIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join(".") : "(frame)",
    message: issue.message,
  }));
}
