import type { ChatMessage } from "@alma/llm";
import type { FinishReason } from "@alma/protocol";
import { continuePrompt } from "./prompts/continue-prompt.js";
import type { RunDocuments } from "./run-documents.js";
import type { RunScope } from "./run-scope.js";
import { documentsForRequest, documentsLabel, withDocuments } from "./request-documents.js";
import type { GenerationOutcome } from "./stream-generation.js";
import { withSystemPrompt } from "./with-system-prompt.js";

export interface SingleRunOptions {
  temperature: number;
  maxOutputTokens: number;
  /** the partial answer to continue, for run.continue */
  continueFrom?: string;
  /** a system prompt to swap in for the one the context was built with (a direct answer after a declined plan) */
  system?: string;
  /** the progress line; default "Writing the answer" */
  label?: string;
  /** the conversation's attached documents: the request carries what fits of them (request-documents.ts) */
  documents?: RunDocuments | null;
}

export interface SingleRunOutcome {
  outcome: GenerationOutcome;
  finishReason: FinishReason;
  /** the answer as streamed to the client, including a deadline note */
  text: string;
}

/**
 * One streamed generation as agent "manager": creative, conversational, a direct analytical answer, or a
 * continuation. With attached documents, the request carries what of them fits beside its prompt and its whole
 * answer budget, inside the request `scope.generate` counts; the progress line says when some could not come.
 */
export async function runSingle(scope: RunScope, opts: SingleRunOptions): Promise<SingleRunOutcome> {
  const bare = (context: ChatMessage[]): ChatMessage[] => {
    const base = opts.system ? withSystemPrompt(context, opts.system, scope.system) : context;
    if (opts.continueFrom === undefined) return base;
    const instruction = continuePrompt.render({ baseSystem: scope.system }).instruction!;
    return [...base, { role: "assistant", content: opts.continueFrom }, { role: "user", content: instruction }];
  };
  const docs = opts.documents?.size
    ? await documentsForRequest(opts.documents, {
        query: scope.input.userText,
        room: scope.window() - scope.margin() - (await scope.measure.countRequest(bare(scope.messages))) - opts.maxOutputTokens,
        window: scope.window(),
        measure: scope.measure,
      })
    : null;
  const build = (context: ChatMessage[]): ChatMessage[] => withDocuments(bare(context), docs?.text ?? null);
  const label = opts.label ?? (opts.continueFrom === undefined ? "Writing the answer" : "Continuing the answer");
  scope.progress("generating", documentsLabel(label, docs));
  const outcome = await scope.generate(build, {
    role: "answer",
    stepId: null,
    agent: "manager",
    budget: opts.maxOutputTokens,
    temperature: opts.temperature,
    onDelta: (t) => scope.token(t, "manager", null),
  });
  return { outcome, ...scope.endAnswer(outcome) };
}
