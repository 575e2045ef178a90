import { CREATED, fitsUpTo, modelList, randomCallId, refuse, trainedFor, type FakeFlavour, type FakeFlavourConfig, type KnowsModel } from "./fake-flavour.js";

/**
 * llama-server splits its total context (`-c`) between its slots (`-np`), and `default_generation_settings.n_ctx`
 * is one slot's share (builds without a unified KV cache). So `contextWindow` here is the per-slot window: what
 * /props reports and what one request may use; the total is `contextWindow * slots`.
 */
export function llamaCppFakeFlavour(config: FakeFlavourConfig, models: string[], knowsModel: KnowsModel): FakeFlavour {
  const window = config.contextWindow ?? 4_096;
  const slots = config.slots ?? 1;
  const trained = trainedFor(config, window);
  const modelPath = `/models/${models[0]}`;
  const slot = (id: number) => ({
    id,
    id_task: -1,
    n_ctx: window,
    speculative: false,
    is_processing: false,
    params: { n_predict: -1, temperature: 0.8, top_k: 40, top_p: 0.95, min_p: 0.05, seed: 4294967295, stream: true },
  });
  const props = {
    default_generation_settings: slot(0),
    total_slots: slots,
    model_path: modelPath,
    modalities: { vision: false, audio: false },
    chat_template: "{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}",
    build_info: "b6700-3df2244d",
  };
  return {
    name: "llamacpp",
    contextWindow: window,
    trainedContextWindow: trained,
    judgeLength(_messages, promptTokens) {
      // llama-server refuses only a prompt that fills the slot; an answer that would overflow is cut at the end
      if (promptTokens >= window) {
        return refuse({
          error: {
            code: 400,
            message: `request (${promptTokens} tokens) exceeds the available context size (${window} tokens), try increasing it`,
            type: "exceed_context_size_error",
            n_prompt_tokens: promptTokens,
            n_ctx: window,
          },
        });
      }
      return fitsUpTo(window, promptTokens);
    },
    knowsModel,
    noteChat() {},
    toolCallStreaming: "fragments",
    toolCallId: () => randomCallId(32),
    // a server started without --jinja renders its built-in templates, which know no tools
    judgeTools: () =>
      config.refuseTools ? { status: 500, json: { error: { code: 500, message: "tools param requires --jinja flag", type: "server_error" } } } : null,
    route(method, path) {
      if (method !== "GET") return null;
      if (path === "/health" || path === "/v1/health") return { status: 200, json: { status: "ok" } };
      if (path === "/props" || path === "/v1/props") return { status: 200, json: props };
      if (path === "/slots") return { status: 200, json: Array.from({ length: slots }, (_, i) => slot(i)) };
      if (path === "/v1/models" || path === "/models") {
        return modelList(models, () => ({
          created: CREATED,
          owned_by: "llamacpp",
          meta: { vocab_type: 2, n_vocab: 152_064, n_ctx_train: trained, n_embd: 3_584, n_params: 7_615_616_512, size: 4_677_120_000 },
        }));
      }
      return null;
    },
    notFound: () => ({ status: 404, json: { error: { code: 404, message: "File Not Found", type: "not_found_error" } } }),
  };
}
