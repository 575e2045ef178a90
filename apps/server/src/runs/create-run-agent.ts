import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { type AnswerCache, ManagerAgent, ModelSpeedTracker, ResponseCache, type SpeedEstimate, type SpeedStore } from "@alma/agent";
import type { ChatModel } from "@alma/llm";
import type { ConversationStore } from "@alma/store";
import type { AppConfig } from "../config.js";
import type { RunAgent } from "./run-services.js";

/** A model's identity for its speed estimate: the same name on another server is another model. */
export function modelKeyOf(model: ChatModel): string {
  const server = (model as { baseURL?: unknown }).baseURL;
  return [model.provider, typeof server === "string" ? server : "", model.model].join("|");
}

/**
 * The Manager Agent over the model, with its answer cache (shared through Redis, else beside the conversations
 * database) and speeds in the store.
 * The tracker reads synchronously, so this server's model's estimate is loaded first; saves go out in the background.
 */
export async function createRunAgent(
  model: ChatModel,
  config: AppConfig,
  store: ConversationStore,
  log: { warn(obj: object, msg: string): void },
  /** the answer cache the instances share (Redis); default: SQLite beside the conversations database, this server's own */
  shared: AnswerCache | null = null,
): Promise<RunAgent & { close(): void }> {
  const modelKey = modelKeyOf(model);
  const known = new Map<string, SpeedEstimate | null>([[modelKey, await store.loadModelSpeed(modelKey)]]);
  const speedStore: SpeedStore = {
    load: (key) => known.get(key) ?? null,
    save: (key, estimate) => {
      known.set(key, estimate);
      store.saveModelSpeed(key, estimate).catch((err: unknown) => log.warn({ err, modelKey: key }, "could not store the model's speed estimate"));
    },
  };
  const own = shared === null ? ownCache(config) : null;
  const cache = shared ?? own!;
  const agent = new ManagerAgent({
    model,
    cache,
    config: {
      deadlineMs: config.runDeadlineMs,
      maxRetries: config.providerMaxRetries,
      speed: new ModelSpeedTracker(speedStore),
      modelKey,
    },
  });
  return { run: (input) => agent.run(input), close: () => own?.close() };
}

/** SQLite beside the conversations database (its folder exists already then; with PostgreSQL nothing else made it) */
function ownCache(config: AppConfig): ResponseCache {
  if (config.dbPath !== ":memory:") mkdirSync(dirname(config.dbPath), { recursive: true });
  return new ResponseCache({ path: config.dbPath === ":memory:" ? ":memory:" : join(dirname(config.dbPath), "alma-cache.db") });
}
