export interface GraphStep {
  id: string;
  dependsOn: string[];
}

export interface RunStepGraphOptions<S extends GraphStep, R> {
  /** at most this many steps run at once */
  concurrency: number;
  run: (step: S, index: number) => Promise<R>;
  /** false once the run is stopped or out of time: steps not yet started are skipped */
  canStart: () => boolean;
  skip: (step: S, index: number) => R;
}

/**
 * Runs steps as they are added, each as soon as every step it depends on has ended (in any state), in plan order,
 * with bounded concurrency: the planner can still be writing step 3 while step 1 runs. Dependencies on steps that
 * are not (yet) in the graph are ignored, since a plan only depends on earlier steps; once closed, a cycle is
 * broken in plan order, so a bad plan cannot hang the run. Step ids must be unique.
 */
export class StepGraph<S extends GraphStep, R> {
  private readonly steps: S[] = [];
  private readonly known = new Set<string>();
  private readonly results = new Map<string, R>();
  private readonly started = new Set<string>();
  private running = 0;
  private closed = false;
  private resolve!: (r: Map<string, R>) => void;
  private reject!: (e: unknown) => void;
  /** every step's result, once the graph is closed and every step has ended */
  readonly done: Promise<Map<string, R>>;

  constructor(private readonly opts: RunStepGraphOptions<S, R>) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  add(step: S): void {
    if (this.closed) throw new Error("StepGraph: add() after close()");
    this.steps.push(step);
    this.known.add(step.id);
    this.pump();
  }

  /** no more steps will come */
  close(): void {
    this.closed = true;
    this.pump();
  }

  /** the result of a step that has ended */
  result(id: string): R | undefined {
    return this.results.get(id);
  }

  private start(step: S, i: number): void {
    this.started.add(step.id);
    this.running++;
    this.opts.run(step, i).then(
      (r) => {
        this.results.set(step.id, r);
        this.running--;
        this.pump();
      },
      (e: unknown) => this.reject(e),
    );
  }

  private pump(): void {
    const concurrency = Math.max(1, this.opts.concurrency);
    let firstWaiting = -1;
    for (let i = 0; i < this.steps.length; i++) {
      const step = this.steps[i]!;
      if (this.started.has(step.id)) continue;
      if (!this.opts.canStart()) {
        this.started.add(step.id);
        this.results.set(step.id, this.opts.skip(step, i));
        continue;
      }
      if (this.running >= concurrency) break;
      if (!step.dependsOn.every((d) => !this.known.has(d) || this.results.has(d))) {
        if (firstWaiting < 0) firstWaiting = i;
        continue;
      }
      this.start(step, i);
    }
    if (!this.closed) return;
    // nothing running and nothing startable: the rest wait on each other (a cycle), so run the first anyway
    if (this.running === 0 && firstWaiting >= 0) this.start(this.steps[firstWaiting]!, firstWaiting);
    if (this.running === 0 && this.started.size === this.known.size) this.resolve(this.results);
  }
}

/** Runs a whole, known plan: a StepGraph given every step at once. */
export function runStepGraph<S extends GraphStep, R>(steps: S[], opts: RunStepGraphOptions<S, R>): Promise<Map<string, R>> {
  const graph = new StepGraph(opts);
  for (const s of steps) graph.add(s);
  graph.close();
  return graph.done;
}
