import type { z } from "zod";

/** "limit: Too big: expected number to be <=20; query: Invalid input: expected string, received number" */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "arguments";
      return `${where}: ${issue.message}`;
    })
    .join("; ");
}
