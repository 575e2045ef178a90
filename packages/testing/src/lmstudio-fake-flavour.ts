import { fitsUpTo, modelList, refuse, trainedFor, type FakeFlavour, type FakeFlavourConfig, type KnowsModel } from "./fake-flavour.js";

/** LM Studio: the loaded and the maximum context length in /api/v0/models. */
export function lmStudioFakeFlavour(config: FakeFlavourConfig, models: string[], knowsModel: KnowsModel): FakeFlavour {
  const window = config.contextWindow ?? 4_096;
  const trained = trainedFor(config, window);
  return {
    name: "lmstudio",
    contextWindow: window,
    trainedContextWindow: trained,
    judgeLength(_messages, promptTokens) {
      // LM Studio refuses a prompt it cannot hold at all, and stops an answer at the limit
      if (promptTokens >= window) {
        return refuse({
          error: `Trying to keep the first ${promptTokens} tokens when context the overflows. However, the model is loaded with context length of only ${window} tokens, which is not enough. Try to load the model with a larger context length, or provide a shorter input`,
        });
      }
      return fitsUpTo(window, promptTokens);
    },
    knowsModel,
    noteChat() {},
    toolCallStreaming: "fragments",
    toolCallId: () => String(Math.floor(Math.random() * 1e9)),
    // LM Studio takes tools for every model, and fails when the model's own template cannot render them
    judgeTools: () =>
      config.refuseTools
        ? {
            status: 400,
            json: {
              error:
                'Error rendering prompt with jinja template: "Cannot call something that is not a function: got UndefinedValue".\n\n' +
                "This is usually an issue with the model's prompt template. If you are using a popular model, you can try to search the model under lmstudio-community, which will have fixed prompt templates.",
            },
          }
        : null,
    route(method, path) {
      if (method !== "GET") return null;
      if (path === "/api/v0/models") {
        return modelList(models, () => ({
          type: "llm",
          publisher: "lmstudio-community",
          arch: "qwen2",
          compatibility_type: "gguf",
          quantization: "Q4_K_M",
          state: "loaded",
          max_context_length: trained,
          loaded_context_length: window,
        }));
      }
      if (path === "/v1/models") return modelList(models, () => ({ owned_by: "organization_owner" }));
      return null;
    },
    notFound: (method, path) => ({ status: 404, json: { error: `Unexpected endpoint or method. (${method} ${path})` } }),
  };
}
