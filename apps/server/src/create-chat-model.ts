import type { FastifyBaseLogger } from "fastify";
import { LocalChatModel, OpenAIChatModel, ScriptedChatModel, type ChatModel } from "@alma/llm";
import type { AppConfig } from "./config.js";

/** Used when ALMA_PROVIDER resolves to local and ALMA_MODEL is unset: a small instruct model, about 400 MB. */
export const DEFAULT_LOCAL_MODEL = "hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf";

/**
 * The model the config asks for. Never throws for a missing model: the model reports itself
 * unavailable (with the ways to fix it) and the server still starts.
 */
export function createChatModel(config: AppConfig, log: FastifyBaseLogger): ChatModel {
  switch (config.provider) {
    case "openai": {
      const model = new OpenAIChatModel({
        ...(config.openai.baseUrl ? { baseURL: config.openai.baseUrl } : {}),
        ...(config.openai.apiKey ? { apiKey: config.openai.apiKey } : {}),
        model: config.openai.model,
        ...(config.contextWindow !== null ? { contextWindow: config.contextWindow } : {}),
        ttftTimeoutMs: config.firstTokenTimeoutMs,
        idleTimeoutMs: config.idleTimeoutMs,
      });
      log.info({ provider: "openai", model: model.model, baseURL: model.baseURL }, "model provider: OpenAI-compatible");
      void model.probe().then((status) => {
        if (!status.ready) log.warn({ problem: status.problem }, `no model is ready: ${status.problem}`);
      });
      return model;
    }
    case "scripted":
      log.warn("model provider: scripted (for tests and benchmarks only; answers are canned)");
      return new ScriptedChatModel({ tokensPerSecond: 50 });
    case "local":
      return createLocalModel(config, log);
  }
}

function createLocalModel(config: AppConfig, log: FastifyBaseLogger): ChatModel {
  const source = config.local.model ?? DEFAULT_LOCAL_MODEL;
  const model = new LocalChatModel({
    model: source,
    threads: config.local.threads,
    ...(config.local.cacheDir ? { modelsDir: config.local.cacheDir } : {}),
    ...(config.local.contextSize ? { contextSize: config.local.contextSize } : {}),
  });
  log.info({ provider: "local", model: source, threads: config.local.threads }, "model provider: local (node-llama-cpp)");
  let last = "";
  model.onStatus((status) => {
    if (status.state === last) return;
    last = status.state;
    if (status.ready) log.info({ model: status.model, contextWindow: status.contextWindow }, "local model ready");
    else if (status.state === "unavailable") {
      log.warn({ problem: status.problem, setup: status.setup }, `no model is ready: ${status.problem}. Ways to fix it: ${status.setup.join(" ")}`);
    }
  });
  return model;
}
