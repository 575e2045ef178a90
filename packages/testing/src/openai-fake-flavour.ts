import { CREATED, fits, modelList, randomCallId, refuse, type FakeFlavour, type FakeFlavourConfig, type KnowsModel } from "./fake-flavour.js";

/** OpenAI itself: no metadata beyond model ids, and a 400 context_length_exceeded for a request over the window. */
export function openAIFakeFlavour(config: FakeFlavourConfig, models: string[], knowsModel: KnowsModel): FakeFlavour {
  const window = config.contextWindow ?? null;
  return {
    name: "openai",
    contextWindow: window,
    trainedContextWindow: config.trainedContextWindow ?? window ?? 128_000,
    judgeLength(_messages, promptTokens, maxTokens) {
      if (window === null) return fits();
      const requested = promptTokens + (maxTokens ?? 0);
      if (maxTokens !== null ? requested <= window : promptTokens < window) return fits();
      const detail =
        maxTokens !== null
          ? `However, you requested ${requested} tokens (${promptTokens} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`
          : `However, your messages resulted in ${promptTokens} tokens. Please reduce the length of the messages.`;
      return refuse({
        error: {
          message: `This model's maximum context length is ${window} tokens. ${detail}`,
          type: "invalid_request_error",
          param: "messages",
          code: "context_length_exceeded",
        },
      });
    },
    knowsModel,
    noteChat() {},
    toolCallStreaming: "fragments",
    toolCallId: () => randomCallId(24),
    judgeTools: () =>
      config.refuseTools
        ? {
            status: 400,
            json: {
              error: {
                message: "Unsupported parameter: 'tools' is not supported with this model.",
                type: "invalid_request_error",
                param: "tools",
                code: "unsupported_parameter",
              },
            },
          }
        : null,
    route(method, path) {
      if (method === "GET" && path === "/v1/models") return modelList(models, () => ({ created: CREATED, owned_by: "fake-openai" }));
      return null;
    },
    notFound: (method, path) => ({
      status: 404,
      json: { error: { message: `Invalid URL (${method} ${path})`, type: "invalid_request_error", param: null, code: null } },
    }),
  };
}
