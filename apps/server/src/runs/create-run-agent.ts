import { dirname, join } from "node:path";
import { ManagerAgent, ResponseCache } from "@alma/agent";
import type { ChatModel } from "@alma/llm";
import type { AppConfig } from "../config.js";
import type { RunAgent } from "./run-services.js";

/** The Manager Agent over the model, with its answer cache beside the conversations database. */
export function createRunAgent(model: ChatModel, config: AppConfig): RunAgent & { close(): void } {
  const cache = new ResponseCache({ path: config.dbPath === ":memory:" ? ":memory:" : join(dirname(config.dbPath), "alma-cache.db") });
  const agent = new ManagerAgent({
    model,
    cache,
    config: { deadlineMs: config.runDeadlineMs, maxRetries: config.providerMaxRetries },
  });
  return { run: (input) => agent.run(input), close: () => cache.close() };
}
