import type { ModelStatus } from "@alma/protocol";

/** Holds a provider's current status and tells subscribers about each change. */
export class StatusHolder {
  #status: ModelStatus;
  readonly #listeners = new Set<(status: ModelStatus) => void>();

  /** the status of a provider that can answer now */
  static ready(provider: string, model: string, contextWindow: number | null): ModelStatus {
    return { ready: true, provider, model, contextWindow, state: "ready", download: null, problem: null, setup: [] };
  }

  constructor(initial: ModelStatus) {
    this.#status = initial;
  }

  get(): ModelStatus {
    return this.#status;
  }

  set(next: ModelStatus): void {
    this.#status = next;
    for (const listener of this.#listeners) {
      try {
        listener(next);
      } catch {
        // a failing subscriber must not break the provider or the other subscribers
      }
    }
  }

  update(patch: Partial<ModelStatus>): void {
    this.set({ ...this.#status, ...patch });
  }

  subscribe(listener: (status: ModelStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
