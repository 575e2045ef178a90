import { createHash } from "node:crypto";
import type { ChatMessage } from "@alma/llm";
import type { TaskType } from "@alma/protocol";

export interface CacheKeyParts {
  provider: string;
  model: string;
  /** the prompt templates' version tags */
  templateVersion: string;
  temperature: number;
  maxOutputTokens: number;
  taskType: TaskType;
  /** the whole trimmed request: the same question in another conversation is another request */
  messages: ChatMessage[];
}

/** sha256 over every part in a fixed order; a separator byte keeps field boundaries unambiguous. */
export function cacheKey(p: CacheKeyParts): string {
  const h = createHash("sha256");
  for (const part of [p.provider, p.model, p.templateVersion, String(p.temperature), String(p.maxOutputTokens), p.taskType]) h.update(part).update("\u0000");
  for (const m of p.messages) {
    h.update(m.role).update("\u0001");
    if ("name" in m && m.name) h.update(m.name);
    h.update("\u0001");
    if (m.role === "tool") h.update(m.toolCallId);
    if (m.role === "assistant" && m.toolCalls) h.update(JSON.stringify(m.toolCalls));
    h.update("\u0001").update(m.content).update("\u0000");
  }
  return h.digest("hex");
}
