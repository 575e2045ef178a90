import { z } from "zod";

/**
 * The window assumed for a model whose window nobody told us: small enough for what servers load by default
 * (Ollama and llama.cpp often run at 4,096), so a request fits until the server states its real one.
 */
export const DEFAULT_CONTEXT_WINDOW = 4096;

const budgetInputSchema = z.object({
  contextWindow: z.number().int().positive().nullish(),
  outputBudget: z.number().int().nonnegative(),
  safetyMargin: z.number().int().nonnegative().optional(),
});
export type BudgetInput = z.input<typeof budgetInputSchema>;

export interface PromptBudget {
  contextWindow: number;
  outputBudget: number;
  safetyMargin: number;
  /** contextWindow - outputBudget - safetyMargin: what the prompt may take */
  promptBudget: number;
}

/** 2% of the window, at least 16 tokens: room for provider-side framing we cannot see */
export function defaultSafetyMargin(contextWindow: number): number {
  return Math.max(16, Math.ceil(contextWindow * 0.02));
}

/**
 * The prompt budget: window - output budget - safety margin. The window comes from the caller
 * (the llm package knows OpenAI windows; a local model reports its own; a setting overrides);
 * without one, `DEFAULT_CONTEXT_WINDOW`.
 */
export function computeBudget(input: BudgetInput): PromptBudget {
  const parsed = budgetInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new RangeError(`computeBudget: invalid budget (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}).`);
  }
  const contextWindow = parsed.data.contextWindow ?? DEFAULT_CONTEXT_WINDOW;
  const outputBudget = parsed.data.outputBudget;
  const safetyMargin = parsed.data.safetyMargin ?? defaultSafetyMargin(contextWindow);
  const promptBudget = contextWindow - outputBudget - safetyMargin;
  if (promptBudget <= 0) {
    throw new RangeError(
      `The output budget (${outputBudget} tokens) plus the safety margin (${safetyMargin}) leave no room for the prompt in a ${contextWindow}-token context window; lower the output budget or raise the context window setting.`,
    );
  }
  return { contextWindow, outputBudget, safetyMargin, promptBudget };
}

/** shrink factor per retry after a provider still reported "context length exceeded" */
export const SHRINK_FACTOR = 0.75;

/** The budget for retry `attempt` (0 = unchanged): the prompt budget × 0.75^attempt. */
export function shrinkBudget(budget: PromptBudget, attempt: number): PromptBudget {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError("shrinkBudget: attempt must be an integer >= 0.");
  if (attempt === 0) return budget;
  const promptBudget = Math.max(1, Math.floor(budget.promptBudget * SHRINK_FACTOR ** attempt));
  return { ...budget, promptBudget };
}
