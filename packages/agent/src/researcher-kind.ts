import type { ChatMessage } from "@alma/llm";
import type { ToolRegistry } from "@alma/tools";
import type { AgentKind } from "./agent-kind.js";
import { writeStep } from "./analyst-agent.js";
import { researcherStepPrompt } from "./prompts/researcher-step-prompt.js";
import { inlineDocumentText, type RunDocuments } from "./run-documents.js";
import { SEARCH_DOCUMENTS } from "./run-tools.js";
import { runToolLoop } from "./run-tool-loop.js";
import { stepPromptArgs, stepRequest } from "./step-request.js";
import type { Agent, StepInput, WorkerContext, WorkerResult } from "./worker-agent.js";

/** documents together up to this size may be read whole; larger ones are always searched */
export const INLINE_MAX_TOKENS = 3_000;
/** and only when they take at most this share of what the window leaves beside the request and the answer */
const INLINE_ROOM_SHARE = 0.5;

/**
 * Answers a step from the run's attached documents, quoting what it uses with document and place: documents small
 * enough for the step's room are read whole, others are searched with search_documents (BM25 passages).
 */
export class ResearcherAgent implements Agent {
  readonly name = "researcher";

  constructor(
    private readonly documents: RunDocuments,
    private readonly tools: ToolRegistry,
  ) {}

  async run(input: StepInput, ctx: WorkerContext): Promise<WorkerResult> {
    const summaries = this.documents.summaries();
    const render = (inlined: Array<{ name: string; text: string }>) => {
      const rendered = researcherStepPrompt.render({ ...stepPromptArgs(input, ctx), documents: summaries, inlined });
      return stepRequest(input, rendered);
    };
    const inlined = await this.inlineable(ctx, render([]));
    if (inlined) return writeStep(ctx, render(inlined), researcherStepPrompt.temperature);
    return runToolLoop(ctx, { build: render([]), tools: this.tools, temperature: researcherStepPrompt.temperature });
  }

  /** every document whole, when together they fit the step's room (counted as the run counts); else null */
  private async inlineable(ctx: WorkerContext, bare: (context: ChatMessage[]) => ChatMessage[]): Promise<Array<{ name: string; text: string }> | null> {
    // a large document is never counted whole: the estimate rules it out first
    if (this.documents.summaries().reduce((n, d) => n + d.tokens, 0) > INLINE_MAX_TOKENS * 2) return null;
    const docs = this.documents.documents.map((d) => ({ name: d.name, text: inlineDocumentText(d) }));
    let tokens = 0;
    for (const d of docs) tokens += await ctx.measure.countText(d.text);
    const room = (await ctx.room(bare)) - ctx.budget;
    return tokens <= INLINE_MAX_TOKENS && tokens <= room * INLINE_ROOM_SHARE ? docs : null;
  }
}

export const researcherKind: AgentKind = {
  name: "researcher",
  description: "finds what the attached documents say and quotes it with document and page or line (search_documents); only for questions about them",
  prompt: researcherStepPrompt,
  tools: [SEARCH_DOCUMENTS],
  plannable: true,
  available: (ctx) => ctx.documents !== null && ctx.documents.size > 0,
  create: (ctx, tools) => new ResearcherAgent(ctx.documents!, tools),
};
