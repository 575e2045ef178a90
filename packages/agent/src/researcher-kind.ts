import type { ChatMessage } from "@alma/llm";
import type { ToolRegistry } from "@alma/tools";
import type { AgentKind } from "./agent-kind.js";
import { writeStep } from "./analyst-agent.js";
import { researcherStepPrompt } from "./prompts/researcher-step-prompt.js";
import { inlineDocuments } from "./inline-documents.js";
import type { RunDocuments } from "./run-documents.js";
import { SEARCH_DOCUMENTS } from "./run-tools.js";
import { runToolLoop } from "./run-tool-loop.js";
import { stepPromptArgs, stepRequest } from "./step-request.js";
import type { Agent, StepInput, WorkerContext, WorkerResult } from "./worker-agent.js";

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

  /** every document whole, when together they fit the step's room by the inlining rule (inline-documents.ts); else null */
  private async inlineable(ctx: WorkerContext, bare: (context: ChatMessage[]) => ChatMessage[]): Promise<Array<{ name: string; text: string }> | null> {
    const room = (await ctx.room(bare)) - ctx.budget;
    const { inlined, rest } = await inlineDocuments(this.documents, room, ctx.measure);
    return rest.length === 0 ? inlined.map((d) => ({ name: d.name, text: d.text })) : null;
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
