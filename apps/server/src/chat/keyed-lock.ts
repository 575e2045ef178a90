/**
 * Mutual exclusion by key across async operations: a task holding "conversation:A" runs alone among the tasks that
 * name A. The store is asynchronous, so two requests for one conversation (or one clientMessageId) could interleave
 * between a check and the write it guards; this keeps them one after the other, as the synchronous store did.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** runs `task` once every earlier task naming any of `keys` has ended; all keys are taken at once (no deadlock) */
  async run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const earlier = unique.map((key) => this.tails.get(key));
    for (const key of unique) this.tails.set(key, held);
    try {
      await Promise.all(earlier);
      return await task();
    } finally {
      release();
      for (const key of unique) if (this.tails.get(key) === held) this.tails.delete(key);
    }
  }

  /** keys held or waited for now (tests: nothing is left behind) */
  get size(): number {
    return this.tails.size;
  }
}
