import { dirname, join } from "node:path";
import { ManagerAgent, ModelSpeedTracker, ResponseCache } from "@alma/agent";
import type { ChatModel } from "@alma/llm";
import type { ConversationStore } from "@alma/store";
import type { AppConfig } from "../config.js";
import type { RunAgent } from "./run-services.js";

/** A model's identity for its speed estimate: the same name on another server is another model. */
export function modelKeyOf(model: ChatModel): string {
  const server = (model as { baseURL?: unknown }).baseURL;
  return [model.provider, typeof server === "string" ? server : "", model.model].join("|");
}

/** The Manager Agent over the model, with its answer cache beside the conversations database and speeds in the store. */
export function createRunAgent(model: ChatModel, config: AppConfig, store: ConversationStore): RunAgent & { close(): void } {
  const cache = new ResponseCache({ path: config.dbPath === ":memory:" ? ":memory:" : join(dirname(config.dbPath), "alma-cache.db") });
  const agent = new ManagerAgent({
    model,
    cache,
    config: {
      deadlineMs: config.runDeadlineMs,
      maxRetries: config.providerMaxRetries,
      speed: new ModelSpeedTracker({ load: (key) => store.loadModelSpeed(key), save: (key, s) => store.saveModelSpeed(key, s) }),
      modelKey: modelKeyOf(model),
    },
  });
  return { run: (input) => agent.run(input), close: () => cache.close() };
}
