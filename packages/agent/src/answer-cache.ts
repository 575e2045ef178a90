import type { Classification } from "@alma/protocol";
import type { CachedAnswer } from "./response-cache.js";

/**
 * Where the Manager Agent keeps answers to repeated requests and the model's classifications of ambiguous messages:
 * `ResponseCache` (SQLite, one server) or a store shared by several servers (the server's Redis cache). Reads may be
 * asynchronous; a read or write that fails counts as a miss, never as a failed answer.
 */
export interface AnswerCache {
  get(key: string): CachedAnswer | null | Promise<CachedAnswer | null>;
  set(key: string, answer: CachedAnswer): void | Promise<void>;
  getClassification(key: string): Classification | null | Promise<Classification | null>;
  setClassification(key: string, classification: Classification): void | Promise<void>;
}

/** a cache read that failed is a miss */
export async function readCache<T>(read: () => T | null | Promise<T | null>): Promise<T | null> {
  try {
    return await read();
  } catch {
    return null;
  }
}

/** a cache write goes on in the background; one that failed only costs a later miss */
export function writeCache(write: () => void | Promise<void>): void {
  try {
    Promise.resolve(write()).catch(() => undefined);
  } catch {
    // a synchronous store that threw: the answer stands
  }
}
