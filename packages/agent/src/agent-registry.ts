import { ToolRegistry } from "@alma/tools";
import type { AgentKind, KindContext } from "./agent-kind.js";
import { analystKind } from "./analyst-kind.js";
import { calculatorKind } from "./calculator-kind.js";
import { researcherKind } from "./researcher-kind.js";
import { reviewerKind } from "./reviewer-kind.js";
import { createRunTools } from "./run-tools.js";
import type { Agent } from "./worker-agent.js";

/** the kind every step falls back to: always available, no tools */
export const FALLBACK_KIND = "analyst";

/**
 * The worker kinds the Manager Agent can delegate to. The planner is shown the available plannable ones; a step
 * names its kind, and a kind that is unknown or not available for the run runs as the analyst (a plan never fails
 * over a kind).
 */
export class AgentRegistry {
  private readonly kinds = new Map<string, AgentKind>();

  constructor(kinds: readonly AgentKind[] = []) {
    for (const k of kinds) this.register(k);
  }

  register(kind: AgentKind): this {
    if (this.kinds.has(kind.name)) throw new Error(`An agent kind named "${kind.name}" is already registered.`);
    this.kinds.set(kind.name, kind);
    return this;
  }

  get(name: string): AgentKind | undefined {
    return this.kinds.get(name);
  }

  all(): AgentKind[] {
    return [...this.kinds.values()];
  }

  /** the kinds a plan of this run may use, in registration order */
  plannable(ctx: KindContext): AgentKind[] {
    return this.all().filter((k) => k.plannable && k.available(ctx));
  }

  /** The kind a step runs as: the one it names when that is plannable and available here, else the analyst. */
  resolve(name: string | undefined, ctx: KindContext): AgentKind {
    const kind = name ? this.kinds.get(name.trim().toLowerCase()) : undefined;
    if (kind?.plannable && kind.available(ctx)) return kind;
    const fallback = this.kinds.get(FALLBACK_KIND);
    if (!fallback) throw new Error(`The agent registry has no "${FALLBACK_KIND}" kind to fall back to.`);
    return fallback;
  }

  /** The kinds as one run uses them: each worker and the run's tools made once, when first needed. */
  forRun(ctx: KindContext): RunAgents {
    return new RunAgents(this, ctx);
  }
}

/** One run's workers: the registry's kinds with the run's documents and tools. */
export class RunAgents {
  private tools: ToolRegistry | null = null;
  private readonly workers = new Map<string, Agent>();

  constructor(
    readonly registry: AgentRegistry,
    readonly ctx: KindContext,
  ) {}

  plannable(): AgentKind[] {
    return this.registry.plannable(this.ctx);
  }

  /** the kind's name a step of this run runs as */
  resolve(name: string | undefined): string {
    return this.registry.resolve(name, this.ctx).name;
  }

  /** the worker of a kind (its resolved kind, so never missing) */
  worker(name: string | undefined): Agent {
    const kind = this.registry.resolve(name, this.ctx);
    return this.made(kind);
  }

  /** a non-plannable pass's worker (the reviewer), or null when the registry has no such kind */
  pass(name: string): Agent | null {
    const kind = this.registry.get(name);
    return kind?.available(this.ctx) ? this.made(kind) : null;
  }

  private made(kind: AgentKind): Agent {
    let worker = this.workers.get(kind.name);
    if (!worker) {
      // the tools (and the documents' index) are made only once a kind that uses them runs
      const own = kind.ownTools?.(this.ctx) ?? [];
      const shared = kind.tools.filter((n) => !own.some((t) => t.name === n));
      if (shared.length > 0) this.tools ??= createRunTools(this.ctx);
      const tools = this.tools && shared.length > 0 ? this.tools.select(shared) : new ToolRegistry();
      for (const t of own) tools.register(t);
      worker = kind.create(this.ctx, tools);
      this.workers.set(kind.name, worker);
    }
    return worker;
  }
}

/** analyst, calculator, researcher (when the run has documents) and the reviewer's pass */
export function defaultAgentRegistry(): AgentRegistry {
  return new AgentRegistry([analystKind, calculatorKind, researcherKind, reviewerKind]);
}
