import { createCalculatorTool, createResearcherSearchTool, type AnyToolDefinition, ToolRegistry } from "@alma/tools";
import type { KindContext } from "./agent-kind.js";

/** the calculator's tool, as the model calls it */
export const RUN_JAVASCRIPT = "run_javascript";
export const SEARCH_DOCUMENTS = "search_documents";

/** the quotes one search returns at most: a quarter of the window, so a small model's request keeps room */
export function searchBudget(window: number): number {
  return Math.max(200, Math.min(1_500, Math.floor(window / 4)));
}

/**
 * Every tool one run offers its workers; each kind selects its own. run_javascript is the QuickJS calculator
 * (1 s, 32 MB, no I/O); search_documents exists only when the run has documents.
 */
export function createRunTools(ctx: KindContext): ToolRegistry {
  const tools: AnyToolDefinition[] = [{ ...createCalculatorTool(), name: RUN_JAVASCRIPT } as AnyToolDefinition];
  if (ctx.documents && ctx.documents.size > 0) {
    tools.push(createResearcherSearchTool(ctx.documents.index, { maxTokens: searchBudget(ctx.window) }) as AnyToolDefinition);
  }
  return new ToolRegistry(tools);
}
