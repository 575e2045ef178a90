import type { Message } from "@alma/protocol";

type StreamingAnswer = Message & { runId: string };

/** the conversation's answer still being written, as stored (its run may live on another instance) */
export function streamingAnswer(messages: readonly Message[]): StreamingAnswer | null {
  const last = messages.findLast((m) => m.role === "assistant");
  return last?.status === "streaming" && last.runId !== null ? (last as StreamingAnswer) : null;
}

/** the answer run `runId` writes (or wrote), as stored */
export function answerOfRun(messages: readonly Message[], runId: string): Message | undefined {
  return messages.find((m) => m.role === "assistant" && m.runId === runId);
}

/** the answer still being written to the user message `userMessageId`, as stored */
export function streamingAnswerAfter(messages: readonly Message[], userMessageId: string): StreamingAnswer | null {
  const at = messages.findIndex((m) => m.id === userMessageId);
  const next = at >= 0 ? messages[at + 1] : undefined;
  return next?.role === "assistant" && next.status === "streaming" && next.runId !== null ? (next as StreamingAnswer) : null;
}
