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
 * Runs steps as soon as every step they depend on has ended (in any state), in plan order, with bounded
 * concurrency. Dependencies on unknown steps are ignored and a cycle is broken in plan order, so a bad plan
 * cannot hang the run. Step ids must be unique.
 */
export function runStepGraph<S extends GraphStep, R>(steps: S[], opts: RunStepGraphOptions<S, R>): Promise<Map<string, R>> {
  const known = new Set(steps.map((s) => s.id));
  const done = new Map<string, R>();
  const started = new Set<string>();
  const concurrency = Math.max(1, opts.concurrency);
  let running = 0;
  return new Promise((resolve, reject) => {
    const start = (step: S, i: number) => {
      started.add(step.id);
      running++;
      opts.run(step, i).then(
        (r) => {
          done.set(step.id, r);
          running--;
          pump();
        },
        reject,
      );
    };
    const pump = () => {
      let firstWaiting = -1;
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i]!;
        if (started.has(step.id)) continue;
        if (!opts.canStart()) {
          started.add(step.id);
          done.set(step.id, opts.skip(step, i));
          continue;
        }
        if (running >= concurrency) break;
        if (!step.dependsOn.every((d) => !known.has(d) || done.has(d))) {
          if (firstWaiting < 0) firstWaiting = i;
          continue;
        }
        start(step, i);
      }
      // nothing running and nothing startable: the rest wait on each other (a cycle), so run the first anyway
      if (running === 0 && firstWaiting >= 0) start(steps[firstWaiting]!, firstWaiting);
      if (running === 0 && started.size === known.size) resolve(done);
    };
    pump();
  });
}
