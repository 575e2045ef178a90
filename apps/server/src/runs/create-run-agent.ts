import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { ManagerAgent, ModelSpeedTracker, ResponseCache, type SpeedEstimate, type SpeedStore } from "@alma/agent";
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
 * The Manager Agent over the model, with its answer cache beside the conversations database and speeds in the store.
 * The tracker reads synchronously, so this server's model's estimate is loaded first; saves go out in the background.
 */
export async function createRunAgent(
  model: ChatModel,
  config: AppConfig,
  store: ConversationStore,
  log: { warn(obj: object, msg: string): void },
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
  // the cache's folder exists already beside a SQLite database; with PostgreSQL nothing else has made it
  if (config.dbPath !== ":memory:") mkdirSync(dirname(config.dbPath), { recursive: true });
  const cache = new ResponseCache({ path: config.dbPath === ":memory:" ? ":memory:" : join(dirname(config.dbPath), "alma-cache.db") });
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
  return { run: (input) => agent.run(input), close: () => cache.close() };
}
