import type { FakeFlavour, FakeFlavourConfig, FakeServerFlavour } from "./fake-flavour.js";
import { llamaCppFakeFlavour } from "./llamacpp-fake-flavour.js";
import { lmStudioFakeFlavour } from "./lmstudio-fake-flavour.js";
import { ollamaFakeFlavour } from "./ollama-fake-flavour.js";
import { openAIFakeFlavour } from "./openai-fake-flavour.js";
import { vllmFakeFlavour } from "./vllm-fake-flavour.js";

const DEFAULT_MODELS: Record<FakeServerFlavour, string> = {
  openai: "gpt-4o-mini",
  vllm: "Qwen/Qwen2.5-7B-Instruct",
  llamacpp: "qwen2.5-7b-instruct-q4_k_m.gguf",
  ollama: "qwen2.5:7b",
  lmstudio: "qwen2.5-7b-instruct",
};

/** Builds the behaviour of one server flavour, as `startFakeOpenAI` serves it. */
export function createFakeFlavour(config: FakeFlavourConfig): FakeFlavour {
  const name = config.flavour ?? "openai";
  const models = config.models ?? [DEFAULT_MODELS[name]];
  const knowsModel = (model: string) => config.models === undefined || config.models.includes(model);
  switch (name) {
    case "openai":
      return openAIFakeFlavour(config, models, knowsModel);
    case "vllm":
      return vllmFakeFlavour(config, models, knowsModel);
    case "llamacpp":
      return llamaCppFakeFlavour(config, models, knowsModel);
    case "ollama":
      return ollamaFakeFlavour(config, models);
    case "lmstudio":
      return lmStudioFakeFlavour(config, models, knowsModel);
  }
}
