import { EventEmitter } from "node:events";
import type { FakeRequestRecord } from "./fake-request-record.js";

/** The requests the fake server saw, in arrival order, with attempt counts and waits on how each one goes. */
export class FakeRequestLog {
  records: FakeRequestRecord[] = [];
  #attempts = new Map<string, number>();
  readonly #events = new EventEmitter();

  constructor() {
    this.#events.setMaxListeners(0);
  }

  /** a record changed (arrived, got its chat, sent a token, ended): waits check again */
  changed(): void {
    this.#events.emit("change");
  }

  /** 1 the first time `key` is seen, 2 the next, ... */
  attempt(key: string): number {
    const attempt = (this.#attempts.get(key) ?? 0) + 1;
    this.#attempts.set(key, attempt);
    return attempt;
  }

  /** forget recorded requests and attempt counts */
  reset(): void {
    this.records = [];
    this.#attempts = new Map();
  }

  /** resolves once request `index` exists and `done` holds for it; rejects with its state after `timeoutMs` */
  waitFor(index: number, timeoutMs: number, what: string, done: (r: FakeRequestRecord) => boolean): Promise<FakeRequestRecord> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const record = this.records[index];
        if (record && done(record)) {
          cleanup();
          resolve(record);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        const record = this.records[index];
        const state = record
          ? `status ${record.status}, completed ${record.completed}, clientAborted ${record.clientAborted}, tokensSent ${record.tokensSent}`
          : `only ${this.records.length} request(s) arrived`;
        reject(new Error(`fake OpenAI: request ${index} was not ${what} within ${timeoutMs} ms (${state})`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#events.off("change", check);
      };
      this.#events.on("change", check);
      check();
    });
  }
}
