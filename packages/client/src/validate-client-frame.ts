import { clientFrameSchema, formatZodIssues, type ClientFrame, type ClientFrameInput } from "@alma/protocol";
import { AlmaClientError } from "./alma-client-error.js";

/** The frame as the protocol reads it; throws `invalid_input` naming each problem when the protocol refuses it. */
export function validateClientFrame(input: ClientFrameInput): ClientFrame {
  const parsed = clientFrameSchema.safeParse(input);
  if (!parsed.success) {
    const issues = formatZodIssues(parsed.error);
    throw new AlmaClientError({
      code: "invalid_input",
      message: `Cannot send ${input.type}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    });
  }
  return parsed.data;
}
