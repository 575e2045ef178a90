import type { ChatMessage } from "@alma/llm";
import type { FinishReason } from "@alma/protocol";
import { continuePrompt } from "./prompts/continue-prompt.js";
import type { RunScope } from "./run-scope.js";
import type { GenerationOutcome } from "./stream-generation.js";

export interface SingleRunOptions {
  temperature: number;
  maxOutputTokens: number;
  /** the partial answer to continue, for run.continue */
  continueFrom?: string;
}

export interface SingleRunOutcome {
  outcome: GenerationOutcome;
  finishReason: FinishReason;
  /** the answer as streamed to the client, including a deadline note */
  text: string;
}

/** One streamed generation as agent "manager": creative, conversational, or the continuation of a partial answer. */
export async function runSingle(scope: RunScope, opts: SingleRunOptions): Promise<SingleRunOutcome> {
  const build = (base: ChatMessage[]): ChatMessage[] => {
    if (opts.continueFrom === undefined) return base;
    const instruction = continuePrompt.render({ baseSystem: scope.system }).instruction!;
    return [...base, { role: "assistant", content: opts.continueFrom }, { role: "user", content: instruction }];
  };
  scope.progress("generating", opts.continueFrom === undefined ? "Writing the answer" : "Continuing the answer");
  const outcome = await scope.generate(build, {
    maxOutputTokens: opts.maxOutputTokens,
    temperature: opts.temperature,
    onDelta: (t) => scope.token(t, "manager", null),
  });
  return { outcome, ...scope.endAnswer(outcome) };
}
