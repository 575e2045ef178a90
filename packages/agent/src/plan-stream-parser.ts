import { Allow, parse } from "partial-json";
import { normalizePlanStep, planStepInputSchema, type AnalysisStep } from "./analysis-plan.js";

/** what the planner's output looks like so far */
export type PlanStreamState = "waiting" | "json" | "not_json";

/** Prose a model may write before its JSON ("Here is the plan:") before alma decides it is not writing JSON at all. */
export const MAX_PROSE_BEFORE_JSON = 120;
/** JSON this long with no "steps" in it is an answer in JSON, not a plan */
export const MAX_JSON_WITHOUT_STEPS = 200;

/**
 * Reads a plan while the planner writes it: each step is handed out as soon as its object is closed (the next one
 * has begun, or the list ended), so it can start at once. Steps are validated one by one; a broken step is left
 * out without losing the others. Output that shows no JSON object early on is reported as `not_json`, so the
 * Manager can answer in one pass at once instead of waiting for a plan that will not come.
 */
export class PlanStreamParser {
  private text = "";
  private start = -1;
  private taken = 0;
  private readonly seen = new Set<string>();
  private readonly steps: AnalysisStep[] = [];
  private stateNow: PlanStreamState = "waiting";
  private seenItems = 0;

  constructor(private maxSteps: number) {}

  /** lowers (or raises) how many steps are read, when the run is re-sized mid-plan */
  limit(maxSteps: number): void {
    this.maxSteps = Math.max(1, maxSteps);
  }

  get state(): PlanStreamState {
    return this.stateNow;
  }

  /** every step handed out so far */
  get planned(): readonly AnalysisStep[] {
    return this.steps;
  }

  /** how many steps are read at most */
  get limitSteps(): number {
    return this.maxSteps;
  }

  /** how many step objects the planner has begun, the one still being written included */
  get begun(): number {
    return this.seenItems;
  }

  /** true once as many steps as allowed were read: the rest of the planner's output is not needed */
  get full(): boolean {
    return this.steps.length >= this.maxSteps;
  }

  /** Adds a delta; returns the steps it completed. */
  push(delta: string): AnalysisStep[] {
    this.text += delta;
    if (this.start < 0) {
      this.start = this.text.indexOf("{");
      if (this.start < 0) {
        const prose = this.text.replace(/```(json)?/gi, "").trim();
        if (prose.length > MAX_PROSE_BEFORE_JSON) this.stateNow = "not_json";
        return [];
      }
      this.stateNow = "json";
    }
    if (this.stateNow !== "json") return [];
    const items = this.items(false);
    if (items) this.seenItems = Math.max(this.seenItems, items.length);
    else if (this.text.length - this.start > MAX_JSON_WITHOUT_STEPS && !/"steps"\s*:/.test(this.text)) this.stateNow = "not_json";
    // the last element may still be growing; the ones before it are closed
    return items ? this.take(items, items.length - 1) : [];
  }

  /** The planner finished: the remaining steps, now that the last one is closed. */
  end(): AnalysisStep[] {
    if (this.stateNow !== "json") {
      this.stateNow = "not_json";
      return [];
    }
    const items = this.items(true);
    return items ? this.take(items, items.length) : [];
  }

  private items(final: boolean): unknown[] | null {
    let value: unknown;
    try {
      // strings only once closed, so a half-written title never reaches a step
      value = parse(this.text.slice(this.start), final ? Allow.ALL & ~Allow.STR : Allow.OBJ | Allow.ARR);
    } catch {
      return null;
    }
    const steps = (value as { steps?: unknown } | null)?.steps;
    return Array.isArray(steps) ? steps : null;
  }

  private take(items: unknown[], upTo: number): AnalysisStep[] {
    const out: AnalysisStep[] = [];
    for (; this.taken < upTo && !this.full; this.taken++) {
      const parsed = planStepInputSchema.safeParse(items[this.taken]);
      if (!parsed.success) continue;
      const step = normalizePlanStep(parsed.data, this.steps.length, this.seen);
      this.steps.push(step);
      out.push(step);
    }
    return out;
  }
}
