import type { ChatMessage } from "@alma/llm";
import { REVIEWER_AGENT } from "@alma/protocol";
import type { AgentKind } from "./agent-kind.js";
import { fitStepResults } from "./fit-step-results.js";
import { ALL_SUPPORTED, analyticalReviewPrompt } from "./prompts/analytical-review-prompt.js";
import { withSystemPrompt } from "./with-system-prompt.js";
import type { Agent, StepInput, WorkerContext, WorkerResult } from "./worker-agent.js";

// the review step's identity is the protocol's: every view (web, CLI, export) tells it apart the same way
export { REVIEW_STEP_ID, REVIEW_STEP_TITLE } from "@alma/protocol";
export const ALL_SUPPORTED_TEXT = "Every claim in the answer is supported by the steps' results.";

/** the review's findings as the user reads them: the unsupported claims, or that there are none */
export function reviewFindings(reply: string): { text: string; unsupported: number } {
  const trimmed = reply.trim();
  const lines = trimmed.split("\n").filter((l) => /^\s*(?:[-*•]|\d+[.)])\s+\S/.test(l));
  if (lines.length === 0 && (trimmed === "" || new RegExp(`^${ALL_SUPPORTED}\\.?$`, "i").test(trimmed) || /\ball (claims )?supported\b/i.test(trimmed))) {
    return { text: ALL_SUPPORTED_TEXT, unsupported: 0 };
  }
  const listed = lines.length > 0 ? lines.map((l) => l.trim()) : [`- ${trimmed}`];
  return { text: `Claims no step supports:\n${listed.join("\n")}`, unsupported: listed.length };
}

/**
 * Reads the draft synthesis against the steps' results and lists the claims no step supports. Its reply is read
 * whole and shown as findings (never a bare "ALL SUPPORTED"), with their count as the step's note.
 */
export class ReviewerAgent implements Agent {
  readonly name = REVIEWER_AGENT;

  async run(input: StepInput, ctx: WorkerContext): Promise<WorkerResult> {
    const draft = input.draft ?? "";
    const render = (draftText: string, texts: string[]) => {
      const rendered = analyticalReviewPrompt.render({
        task: input.task,
        draft: draftText,
        steps: input.dependencies.map((d, i) => ({ title: d.title, text: texts[i]! })),
      });
      return (context: ChatMessage[]): ChatMessage[] => [
        ...withSystemPrompt(context, rendered.system, input.contextSystem),
        { role: "user", content: rendered.instruction! },
      ];
    };
    // the draft and the results share what the window leaves beside the request and the findings
    const free = Math.max(
      0,
      (await ctx.room(
        render(
          "",
          input.dependencies.map(() => ""),
        ),
      )) - ctx.budget,
    );
    const [draftText, ...texts] = await fitStepResults([draft, ...input.dependencies.map((d) => d.text)], free, ctx.measure);
    const out = await ctx.generate(render(draftText!, texts), { temperature: analyticalReviewPrompt.temperature, onDelta: () => {} });
    if (out.finishReason === "error" && out.error) throw out.error;
    if (out.finishReason === "aborted") return { text: "", finishReason: "aborted", completionTokens: out.completionTokens, promptTokens: out.promptTokens };
    const findings = reviewFindings(out.text);
    ctx.emitToken(findings.text);
    return {
      text: findings.text,
      finishReason: out.finishReason === "length" ? "length" : "stop",
      completionTokens: out.completionTokens,
      promptTokens: out.promptTokens,
      reported: out.reported,
      note: findings.unsupported > 0 ? `${findings.unsupported} claim${findings.unsupported === 1 ? "" : "s"} no step supports` : null,
    };
  }
}

/** The reviewer: a pass after the synthesis (never a plan step), when the run's time allows it. */
export const reviewerKind: AgentKind = {
  name: REVIEWER_AGENT,
  description: "checks the draft answer against the steps' results and flags claims no step supports",
  prompt: analyticalReviewPrompt,
  tools: [],
  plannable: false,
  available: () => true,
  create: () => new ReviewerAgent(),
};
