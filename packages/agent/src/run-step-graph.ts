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
 * concurrency. Dependencies on unknown steps are ignored, so a bad plan cannot hang the run.
 */
export function runStepGraph<S extends GraphStep, R>(steps: S[], opts: RunStepGraphOptions<S, R>): Promise<Map<string, R>> {
  const known = new Set(steps.map((s) => s.id));
  const done = new Map<string, R>();
  const started = new Set<string>();
  let running = 0;
  return new Promise((resolve, reject) => {
    const pump = () => {
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i]!;
        if (started.has(step.id)) continue;
        if (!opts.canStart()) {
          started.add(step.id);
          done.set(step.id, opts.skip(step, i));
          continue;
        }
        if (running >= opts.concurrency) break;
        if (!step.dependsOn.every((d) => !known.has(d) || done.has(d))) continue;
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
      }
      if (done.size === steps.length) resolve(done);
      else if (running === 0 && ![...steps].some((s) => !started.has(s.id))) resolve(done);
    };
    pump();
  });
}
