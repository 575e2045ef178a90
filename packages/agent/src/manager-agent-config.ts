import { z } from "zod";
import type { ModelSpeedTracker } from "./model-speed.js";
import type { TokenCounter } from "./token-counter.js";
import type { AgentRegistry } from "./agent-registry.js";
import type { Agent } from "./worker-agent.js";

export const managerAgentConfigSchema = z
  .object({
    /** the whole run's deadline from when the server received the message */
    deadlineMs: z.number().int().positive().default(60_000),
    /** time kept for the synthesis: steps (and the planner) end this long before the deadline; default the synthesis's own estimate at the model's pace */
    synthesisReserveMs: z.number().int().nonnegative().optional(),
    /** a step's budget with time and room to spare; slow models and small windows get less */
    stepMaxOutputTokens: z.number().int().positive().default(500),
    maxConcurrentSteps: z.number().int().positive().max(16).default(3),
    minSteps: z.number().int().min(1).default(2),
    maxSteps: z.number().int().min(1).max(10).default(4),
    maxRetries: z.number().int().nonnegative().max(10).default(2),
    retryBaseMs: z.number().int().nonnegative().default(500),
    retryMaxMs: z.number().int().nonnegative().default(8_000),
    classifyTimeoutMs: z.number().int().positive().default(1_500),
    /** rule decisions under this confidence are checked by the model */
    ambiguousBelow: z.number().min(0).max(1).default(0.7),
    /** the reviewer's pass after an analytical answer: when the model's pace leaves time for it (auto), always, or never */
    review: z.enum(["auto", "always", "off"]).default("auto"),
  })
  .strict();

export type ManagerAgentSettings = z.output<typeof managerAgentConfigSchema>;

export type ManagerAgentConfig = z.input<typeof managerAgentConfigSchema> & {
  /** counts output tokens per delta; default one per delta */
  countTokens?: TokenCounter;
  /** one worker for every plan step, no kinds and no review (tests); default: the agent registry's kinds */
  worker?: Agent;
  /** the worker kinds plan steps are given; default defaultAgentRegistry() (analyst, calculator, researcher, reviewer) */
  agents?: AgentRegistry;
  /** jitter source for retries (tests) */
  random?: () => number;
  /** today's date for the prompts (tests) */
  today?: () => string;
  /** the models' measured pace, kept across runs (and restarts, when it has a store) */
  speed?: ModelSpeedTracker;
  /** the model's identity for its speed estimate; default provider and model name */
  modelKey?: string;
  /** the pace assumed before a model was ever measured; default PRIOR_SPEED (benchmarks that scale time scale it too) */
  priorPace?: { ttftMs: number; tokensPerSecond: number };
};
