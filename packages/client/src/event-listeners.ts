/** Calls a listener; an exception is logged and never reaches the caller, so one consumer's bug cannot break the others. */
export function callSafely<T>(label: string, listener: (value: T) => void, value: T): void {
  try {
    listener(value);
  } catch (error) {
    console.error(`@alma/client: ${label} threw`, error);
  }
}

/** Listeners by event name, each called safely, in the order they were added. */
export class EventListeners<M> {
  private readonly sets = new Map<keyof M, Set<(value: never) => void>>();

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof M>(type: K, listener: (value: M[K]) => void): () => void {
    let set = this.sets.get(type);
    if (!set) {
      set = new Set();
      this.sets.set(type, set);
    }
    // a wrapper per call: the same function added twice is called twice and removed once per unsubscribe
    const entry = (value: never) => listener(value as M[K]);
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  emit<K extends keyof M>(type: K, value: M[K]): void {
    const set = this.sets.get(type);
    if (!set || set.size === 0) return;
    // a snapshot, so listeners added or removed mid-emit do not change who gets this value
    for (const listener of [...set]) callSafely(`a "${String(type)}" listener`, listener as (value: M[K]) => void, value);
  }
}
