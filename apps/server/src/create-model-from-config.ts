import type { FastifyBaseLogger } from "fastify";
import { createChatModel, type ChatModel } from "@alma/llm";
import type { AppConfig } from "./config.js";

/**
 * The model the server's settings ask for (via @alma/llm's createChatModel). It never throws for a
 * missing model: the model reports itself unavailable, with the ways to fix it, and the server still starts
 * and says so in its log.
 */
export function createModelFromConfig(config: AppConfig, log: FastifyBaseLogger): ChatModel {
  const model = createChatModel({
    provider: config.provider,
    openai: {
      ...(config.openai.apiKey ? { apiKey: config.openai.apiKey } : {}),
      ...(config.openai.baseUrl ? { baseURL: config.openai.baseUrl } : {}),
      model: config.openai.model,
      ...(config.contextWindow !== null ? { contextWindow: config.contextWindow } : {}),
      ttftTimeoutMs: config.firstTokenTimeoutMs,
      idleTimeoutMs: config.idleTimeoutMs,
    },
    local: {
      ...(config.local.model ? { model: config.local.model } : {}),
      ...(config.local.cacheDir ? { modelsDir: config.local.cacheDir } : {}),
      threads: config.local.threads,
      ...(config.local.contextSize ? { contextSize: config.local.contextSize } : {}),
      ...(config.local.hfEndpoint ? { hfEndpoint: config.local.hfEndpoint } : {}),
    },
    scripted: { tokensPerSecond: config.scriptedTokensPerSecond },
  });
  const status = model.status();
  log.info({ provider: model.provider, model: model.model, state: status.state }, `model provider: ${model.provider} (${model.model})`);
  if (model.provider === "scripted") log.warn("the scripted provider is for tests and benchmarks only; its answers are canned");
  let last = status.state;
  const report = (s: ReturnType<ChatModel["status"]>) => {
    if (s.ready) log.info({ model: s.model, contextWindow: s.contextWindow, windowSource: s.window?.source ?? null }, "model ready");
    else if (s.state === "unavailable") log.warn({ problem: s.problem, setup: s.setup }, `no model is ready: ${s.problem} (to fix it: ${s.setup.join(" ")})`);
  };
  if (status.state === "unavailable") report(status);
  let lastWindow: string | null = null;
  model.onStatus((s) => {
    // the window is told once it is learned; a guessed one is a warning, with what to set
    const window = s.window ? `${s.window.tokens}:${s.window.source}` : null;
    if (s.window && window !== lastWindow) {
      lastWindow = window;
      const words = { tokens: s.window.tokens, source: s.window.source, detail: s.window.detail };
      if (s.window.source === "default") log.warn(words, `the model's context window is unknown: ${s.window.detail}`);
      else log.info(words, `context window: ${s.window.tokens} tokens (${s.window.detail})`);
    }
    if (s.state === last) return;
    last = s.state;
    report(s);
  });
  return model;
}
