import type { AnyToolDefinition, ToolRegistry } from "@alma/tools";
import type { RunDocuments } from "./run-documents.js";
import type { Agent } from "./worker-agent.js";

/** What a run offers its workers: decides which kinds are available and equips them. */
export interface KindContext {
  /** the run's attached documents; null when it has none */
  documents: RunDocuments | null;
  /** the window the run's requests fit (sizes what a tool may return) */
  window: number;
}

/**
 * A kind of worker the Manager Agent can hand a plan step to: the planner reads its name and description, the
 * registry gives it the tools it may use, and its prompt template is versioned like every other (so cached
 * answers change when it does).
 */
export interface AgentKind {
  /** what the planner writes as a step's "agent" and the UI shows */
  name: string;
  /** one sentence the planner reads to decide when to use it */
  description: string;
  prompt: { role: string; version: number };
  /** the tools of the run it may call (run_javascript, search_documents), and the names of its own `ownTools` */
  tools: readonly string[];
  /** tools only this kind has (a custom kind's API or data feed), made once per run */
  ownTools?(ctx: KindContext): AnyToolDefinition[];
  /** false for a pass the manager runs itself (the reviewer): never a plan step */
  plannable: boolean;
  available(ctx: KindContext): boolean;
  /** its worker for one run, with the run's tools it may use */
  create(ctx: KindContext, tools: ToolRegistry): Agent;
}
