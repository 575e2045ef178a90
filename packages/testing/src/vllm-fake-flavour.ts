import { CREATED, fitsUpTo, modelList, randomCallId, refuse, trainedFor, type FakeFlavour, type FakeFlavourConfig, type KnowsModel } from "./fake-flavour.js";

/** vLLM: max_model_len in /v1/models, and a 400 for a prompt that fills the window or max_tokens beyond the rest. */
export function vllmFakeFlavour(config: FakeFlavourConfig, models: string[], knowsModel: KnowsModel): FakeFlavour {
  const window = config.contextWindow ?? 32_768;
  const badRequest = (message: string) => refuse({ error: { message, type: "BadRequestError", param: null, code: 400 } });
  return {
    name: "vllm",
    contextWindow: window,
    trainedContextWindow: trainedFor(config, window),
    judgeLength(_messages, promptTokens, maxTokens) {
      if (promptTokens >= window) {
        return badRequest(
          `This model's maximum context length is ${window} tokens. However, your request has ${promptTokens} input tokens. Please reduce the length of the input messages.`,
        );
      }
      if (maxTokens !== null && maxTokens > window - promptTokens) {
        return badRequest(
          `'max_tokens' or 'max_completion_tokens' is too large: ${maxTokens}. This model's maximum context length is ${window} tokens and your request has ${promptTokens} input tokens (${maxTokens} > ${window} - ${promptTokens}).`,
        );
      }
      // without max_tokens vLLM lets the answer run to the end of the window
      return fitsUpTo(window, promptTokens);
    },
    knowsModel,
    noteChat() {},
    toolCallStreaming: "fragments",
    // vLLM names calls chatcmpl-tool-<hex>
    toolCallId: () => `chatcmpl-tool-${randomCallId(32, true).slice("call_".length)}`,
    judgeTools(_model, toolChoice) {
      // without --enable-auto-tool-choice vLLM still takes tool_choice "none" or a named function (guided decoding)
      if (!config.refuseTools || (toolChoice !== null && toolChoice !== "auto")) return null;
      return {
        status: 400,
        json: {
          error: {
            message: '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
            type: "BadRequestError",
            param: null,
            code: 400,
          },
        },
      };
    },
    route(method, path) {
      if (method !== "GET") return null;
      if (path === "/version") return { status: 200, json: { version: "0.11.0" } };
      if (path === "/health") return { status: 200, text: "" };
      if (path === "/v1/models") {
        return modelList(models, (id) => ({
          created: CREATED,
          owned_by: "vllm",
          root: id,
          parent: null,
          max_model_len: window,
          permission: [
            {
              id: `modelperm-${id}`,
              object: "model_permission",
              created: CREATED,
              allow_sampling: true,
              allow_logprobs: true,
              organization: "*",
              is_blocking: false,
            },
          ],
        }));
      }
      return null;
    },
    notFound: () => ({ status: 404, json: { detail: "Not Found" } }),
  };
}
