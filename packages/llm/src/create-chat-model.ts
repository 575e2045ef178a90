import type { ChatModel } from "./chat-model.js";
import { chooseProvider, parseLlmConfig } from "./llm-config.js";
import { LocalChatModel } from "./local-chat-model.js";
import { OpenAIChatModel } from "./openai-chat-model.js";
import { ScriptedChatModel } from "./scripted-chat-model.js";

/**
 * Builds the configured model provider from a plain settings object (validated here). It never throws for a
 * model that cannot be had: the returned model's status says why and how to fix it. Throws only for invalid settings.
 */
export function createChatModel(input: unknown = {}): ChatModel {
  const config = parseLlmConfig(input);
  const provider = chooseProvider(config);
  if (provider === "scripted") {
    const { model, tokensPerSecond, reply, contextWindow } = config.scripted;
    return new ScriptedChatModel({
      tokensPerSecond,
      ...(model ? { model } : {}),
      ...(reply !== undefined ? { reply } : {}),
      ...(contextWindow ? { contextWindow } : {}),
    });
  }
  if (provider === "openai") {
    const { probe, ...options } = config.openai;
    const model = new OpenAIChatModel(options);
    if (probe && model.status().ready) void model.probe();
    return model;
  }
  const { hfEndpoint, ...local } = config.local;
  return new LocalChatModel({ ...local, ...(hfEndpoint ? { endpoints: { huggingFace: hfEndpoint } } : {}) });
}
