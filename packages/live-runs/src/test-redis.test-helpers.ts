import { randomUUID } from "node:crypto";
import { applyRunEvent, createRunState, type RunEvent, type RunState } from "@alma/protocol";
import type { Redis } from "ioredis";
import { connectRedis } from "./connect-redis.js";
import { deleteKeysByPrefix } from "./delete-keys-by-prefix.js";
import { RedisKeys } from "./redis-keys.js";

export const TEST_REDIS_URL = process.env.ALMA_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix of its own for one test file, and the keys under it deleted afterwards (SCAN + UNLINK). */
export async function openTestRedis(): Promise<{ redis: Redis; keys: RedisKeys; prefix: string; cleanup: () => Promise<void> }> {
  const prefix = `alma-test-${randomUUID().slice(0, 8)}:`;
  const redis = await connectRedis(TEST_REDIS_URL);
  return {
    redis,
    keys: new RedisKeys(prefix),
    prefix,
    cleanup: async () => {
      await deleteKeysByPrefix(redis, prefix);
      await redis.quit();
    },
  };
}

/** A run's events as a LiveRun stamps them: `tokens` tokens, then a terminal run.error (no metrics needed). */
export function runEvents(runId: string, tokens: number): RunEvent[] {
  const events: RunEvent[] = [];
  for (let i = 0; i < tokens; i++) {
    events.push({ type: "run.token", runId, index: i, at: 1_000 + i, seq: i, text: `t${i} `, agent: "manager", stepId: null });
  }
  events.push({
    type: "run.error",
    runId,
    index: tokens,
    at: 1_000 + tokens,
    conversationId: "c1",
    assistantMessageId: "a1",
    code: "internal",
    message: "the test run ended",
    retryable: true,
    partial: true,
    metrics: null,
  });
  return events;
}

/** the fold after each event, as the LiveRun hands it to the stream */
export function foldEach(runId: string, events: readonly RunEvent[]): RunState[] {
  let state = createRunState({ runId });
  return events.map((e) => {
    state = applyRunEvent(state, e);
    return state;
  });
}

/** waits for a condition without asserting on time: polls until it holds, failing after `attempts` tries */
export async function eventually<T>(probe: () => Promise<T | null | undefined | false>, what: string, attempts = 200, everyMs = 50): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`gave up waiting for ${what}`);
}
