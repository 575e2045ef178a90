export type Scheduler = (cb: () => void) => () => void;

/** requestAnimationFrame while the page is visible; a timer when hidden, where rAF would stall the stream. */
export const animationFrameScheduler: Scheduler = (cb) => {
  if (typeof document !== "undefined" && document.visibilityState === "hidden") {
    const t = setTimeout(cb, 50);
    return () => clearTimeout(t);
  }
  const id = requestAnimationFrame(cb);
  return () => cancelAnimationFrame(id);
};

export interface FrameBatcher<T> {
  push(item: T): void;
  /** delivers what is queued now (e.g. before a user action that must see every event) */
  flush(): void;
  dispose(): void;
}

/**
 * Collects items and hands them over at most once per animation frame, so a 500 tokens/s stream
 * costs one React render per frame instead of one per token.
 */
export function createFrameBatcher<T>(
  deliver: (items: T[]) => void,
  schedule: Scheduler = animationFrameScheduler,
  /** true when `next` supersedes the last queued item, which it then replaces (a newer state of the same thing) */
  supersedes?: (queued: T, next: T) => boolean,
): FrameBatcher<T> {
  let queue: T[] = [];
  let cancel: (() => void) | null = null;
  const flush = () => {
    cancel?.();
    cancel = null;
    if (queue.length === 0) return;
    const items = queue;
    queue = [];
    deliver(items);
  };
  return {
    push(item) {
      const last = queue.at(-1);
      if (last !== undefined && supersedes?.(last, item)) queue[queue.length - 1] = item;
      else queue.push(item);
      if (cancel === null) cancel = schedule(flush);
    },
    flush,
    dispose() {
      cancel?.();
      cancel = null;
      queue = [];
    },
  };
}
