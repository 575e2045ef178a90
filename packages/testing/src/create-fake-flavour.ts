import type { OpenAIChatMessage } from "./openai-chat-request-schema.js";

/** Which real server the fake imitates: its metadata endpoints, its window and how it treats an over-long request. */
export type FakeServerFlavour = "openai" | "vllm" | "llamacpp" | "ollama" | "lmstudio";

export interface FakeFlavourConfig {
  flavour?: FakeServerFlavour;
  /**
   * The runtime window the flavour advertises and enforces. openai: none unless set; vllm: 32768; llamacpp: the
   * per-slot window, 4096; ollama: the loaded context, `ollamaNumCtx` else 4096; lmstudio: the loaded length, 4096.
   */
  contextWindow?: number;
  /** the model's training context (llama.cpp n_ctx_train, Ollama <arch>.context_length, LM Studio max_context_length) */
  trainedContextWindow?: number;
  /** llama.cpp parallel slots (`-np`); default 1 */
  slots?: number;
  /** Ollama: `num_ctx` set in the model's parameters (shown by /api/show) */
  ollamaNumCtx?: number;
  /** Ollama: list the models in /api/ps before any chat request loads them */
  ollamaPreloaded?: boolean;
  models?: string[];
}

/** A response the flavour decided on: JSON, or plain text. */
export interface FakeFlavourResponse {
  status: number;
  json?: unknown;
  text?: string;
}

export interface FakePromptTruncation {
  /** messages kept, in order (system messages and the tail) */
  messages: OpenAIChatMessage[];
  droppedMessages: number;
  droppedPromptTokens: number;
  /** prompt tokens the model actually evaluated */
  promptTokens: number;
}

export interface FakeLengthDecision {
  /** the server refuses the request for its length */
  refusal: FakeFlavourResponse | null;
  /** most answer tokens before the window is full; null when the flavour sets no such cap */
  generationBudget: number | null;
  /** the server silently cut the prompt (Ollama) */
  truncation: FakePromptTruncation | null;
}

export interface FakeFlavour {
  name: FakeServerFlavour;
  /** the window enforced on chat requests (per slot for llama.cpp), null when none */
  contextWindow: number | null;
  trainedContextWindow: number;
  judgeLength(messages: OpenAIChatMessage[], promptTokens: number, maxTokens: number | null, count: (messages: OpenAIChatMessage[]) => number): FakeLengthDecision;
  /** the model exists (Ollama also knows "name" as "name:latest"); every model does when `models` is unset */
  knowsModel(model: string): boolean;
  /** a chat request for `model` was accepted (Ollama loads the model then) */
  noteChat(model: string): void;
  /** the flavour's own endpoints, GET /v1/models included; null when the path is not one of them */
  route(method: string, path: string, body: unknown): FakeFlavourResponse | null;
  /** what the real server answers for a path it does not know */
  notFound(method: string, path: string): FakeFlavourResponse;
}

const DEFAULT_MODELS: Record<FakeServerFlavour, string> = {
  openai: "gpt-4o-mini",
  vllm: "Qwen/Qwen2.5-7B-Instruct",
  llamacpp: "qwen2.5-7b-instruct-q4_k_m.gguf",
  ollama: "qwen2.5:7b",
  lmstudio: "qwen2.5-7b-instruct",
};

const CREATED = 1_700_000_000;

/** Ollama names every model with a tag; a bare name means `:latest`. */
export function ollamaModelName(name: string): string {
  return name.includes(":") ? name : `${name}:latest`;
}

const fits = (): FakeLengthDecision => ({ refusal: null, generationBudget: null, truncation: null });

/** Builds the behaviour of one server flavour, as `startFakeOpenAI` serves it. */
export function createFakeFlavour(config: FakeFlavourConfig): FakeFlavour {
  const name = config.flavour ?? "openai";
  const models = config.models ?? [DEFAULT_MODELS[name]];
  const knowsModel = (model: string) => config.models === undefined || config.models.includes(model);
  switch (name) {
    case "openai":
      return openAIFlavour(config, models, knowsModel);
    case "vllm":
      return vllmFlavour(config, models, knowsModel);
    case "llamacpp":
      return llamaCppFlavour(config, models, knowsModel);
    case "ollama":
      return ollamaFlavour(config, models);
    case "lmstudio":
      return lmStudioFlavour(config, models, knowsModel);
  }
}

type KnowsModel = (model: string) => boolean;

function trainedFor(config: FakeFlavourConfig, window: number): number {
  return config.trainedContextWindow ?? Math.max(32_768, window);
}

function openAIFlavour(config: FakeFlavourConfig, models: string[], knowsModel: KnowsModel): FakeFlavour {
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
      return {
        refusal: {
          status: 400,
          json: {
            error: {
              message: `This model's maximum context length is ${window} tokens. ${detail}`,
              type: "invalid_request_error",
              param: "messages",
              code: "context_length_exceeded",
            },
          },
        },
        generationBudget: null,
        truncation: null,
      };
    },
    knowsModel,
    noteChat() {},
    route(method, path) {
      if (method === "GET" && path === "/v1/models") {
        return { status: 200, json: { object: "list", data: models.map((id) => ({ id, object: "model", created: CREATED, owned_by: "fake-openai" })) } };
      }
      return null;
    },
    notFound: (method, path) => ({
      status: 404,
      json: { error: { message: `Invalid URL (${method} ${path})`, type: "invalid_request_error", param: null, code: null } },
    }),
  };
}

function vllmFlavour(config: FakeFlavourConfig, models: string[], knowsModel: KnowsModel): FakeFlavour {
  const window = config.contextWindow ?? 32_768;
  const refuse = (message: string): FakeLengthDecision => ({
    refusal: { status: 400, json: { error: { message, type: "BadRequestError", param: null, code: 400 } } },
    generationBudget: null,
    truncation: null,
  });
  return {
    name: "vllm",
    contextWindow: window,
    trainedContextWindow: trainedFor(config, window),
    judgeLength(_messages, promptTokens, maxTokens) {
      if (promptTokens >= window) {
        return refuse(
          `This model's maximum context length is ${window} tokens. However, your request has ${promptTokens} input tokens. Please reduce the length of the input messages.`,
        );
      }
      if (maxTokens !== null && maxTokens > window - promptTokens) {
        return refuse(
          `'max_tokens' or 'max_completion_tokens' is too large: ${maxTokens}. This model's maximum context length is ${window} tokens and your request has ${promptTokens} input tokens (${maxTokens} > ${window} - ${promptTokens}).`,
        );
      }
      // without max_tokens vLLM lets the answer run to the end of the window
      return { refusal: null, generationBudget: window - promptTokens, truncation: null };
    },
    knowsModel,
    noteChat() {},
    route(method, path) {
      if (method !== "GET") return null;
      if (path === "/version") return { status: 200, json: { version: "0.11.0" } };
      if (path === "/health") return { status: 200, text: "" };
      if (path === "/v1/models") {
        return {
          status: 200,
          json: {
            object: "list",
            data: models.map((id) => ({
              id,
              object: "model",
              created: CREATED,
              owned_by: "vllm",
              root: id,
              parent: null,
              max_model_len: window,
              permission: [{ id: `modelperm-${id}`, object: "model_permission", created: CREATED, allow_sampling: true, allow_logprobs: true, organization: "*", is_blocking: false }],
            })),
          },
        };
      }
      return null;
    },
    notFound: () => ({ status: 404, json: { detail: "Not Found" } }),
  };
}

/**
 * llama-server splits its total context (`-c`) between its slots (`-np`), and `default_generation_settings.n_ctx`
 * is one slot's share (builds without a unified KV cache). So `contextWindow` here is the per-slot window: what
 * /props reports and what one request may use; the total is `contextWindow * slots`.
 */
function llamaCppFlavour(config: FakeFlavourConfig, models: string[], knowsModel: KnowsModel): FakeFlavour {
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
        return {
          refusal: {
            status: 400,
            json: {
              error: {
                code: 400,
                message: `request (${promptTokens} tokens) exceeds the available context size (${window} tokens), try increasing it`,
                type: "exceed_context_size_error",
                n_prompt_tokens: promptTokens,
                n_ctx: window,
              },
            },
          },
          generationBudget: null,
          truncation: null,
        };
      }
      return { refusal: null, generationBudget: window - promptTokens, truncation: null };
    },
    knowsModel,
    noteChat() {},
    route(method, path) {
      if (method !== "GET") return null;
      if (path === "/health" || path === "/v1/health") return { status: 200, json: { status: "ok" } };
      if (path === "/props" || path === "/v1/props") return { status: 200, json: props };
      if (path === "/slots") return { status: 200, json: Array.from({ length: slots }, (_, i) => slot(i)) };
      if (path === "/v1/models" || path === "/models") {
        return {
          status: 200,
          json: {
            object: "list",
            data: models.map((id) => ({
              id,
              object: "model",
              created: CREATED,
              owned_by: "llamacpp",
              meta: { vocab_type: 2, n_vocab: 152_064, n_ctx_train: trained, n_embd: 3_584, n_params: 7_615_616_512, size: 4_677_120_000 },
            })),
          },
        };
      }
      return null;
    },
    notFound: () => ({ status: 404, json: { error: { code: 404, message: "File Not Found", type: "not_found_error" } } }),
  };
}

function ollamaFlavour(config: FakeFlavourConfig, models: string[]): FakeFlavour {
  const window = config.contextWindow ?? config.ollamaNumCtx ?? 4_096;
  const trained = trainedFor(config, window);
  const known = new Set(models.map(ollamaModelName));
  const loaded = new Set<string>(config.ollamaPreloaded ? known : []);
  const details = { parent_model: "", format: "gguf", family: "qwen2", families: ["qwen2"], parameter_size: "7.6B", quantization_level: "Q4_K_M" };
  const exists = (model: string) => config.models === undefined || known.has(ollamaModelName(model));
  const param = (key: string, value: string) => `${key.padEnd(31)}${value}`;
  const parameters = [
    ...(config.ollamaNumCtx !== undefined ? [param("num_ctx", String(config.ollamaNumCtx))] : []),
    param("stop", '"<|im_start|>"'),
    param("stop", '"<|im_end|>"'),
  ].join("\n");

  return {
    name: "ollama",
    contextWindow: window,
    trainedContextWindow: trained,
    judgeLength(messages, promptTokens, _maxTokens, count) {
      if (promptTokens <= window) return { refusal: null, generationBudget: window - promptTokens, truncation: null };
      // Ollama keeps the system messages and the latest message, and drops whole messages from the front until the
      // rest fits; what still does not fit is cut token-wise, all without telling the client
      const kept = [...messages];
      let droppedMessages = 0;
      let keptTokens = promptTokens;
      while (keptTokens > window) {
        const first = kept.findIndex((m, i) => m.role !== "system" && i < kept.length - 1);
        if (first === -1) break;
        kept.splice(first, 1);
        droppedMessages += 1;
        keptTokens = count(kept);
      }
      const evaluated = Math.min(keptTokens, window);
      return {
        refusal: null,
        generationBudget: window - evaluated,
        truncation: { messages: kept, droppedMessages, droppedPromptTokens: promptTokens - evaluated, promptTokens: evaluated },
      };
    },
    knowsModel: exists,
    noteChat(model) {
      loaded.add(ollamaModelName(model));
    },
    route(method, path, body) {
      if (method === "GET" && path === "/") return { status: 200, text: "Ollama is running" };
      if (method === "GET" && path === "/api/version") return { status: 200, json: { version: "0.12.3" } };
      if (method === "GET" && path === "/api/tags") {
        return {
          status: 200,
          json: { models: [...known].map((n) => ({ name: n, model: n, modified_at: "2025-09-01T10:00:00Z", size: 4_683_087_332, digest: "845dbda0ea48", details })) },
        };
      }
      if (method === "GET" && path === "/api/ps") {
        const expires = new Date(Date.now() + 5 * 60_000).toISOString();
        return {
          status: 200,
          json: {
            models: [...loaded].map((n) => ({ name: n, model: n, size: 6_654_289_920, digest: "845dbda0ea48", details, expires_at: expires, size_vram: 6_654_289_920, context_length: window })),
          },
        };
      }
      if (method === "POST" && path === "/api/generate") {
        // an empty prompt only loads the model, as real Ollama documents; it then shows in /api/ps
        const asked = (body as { model?: unknown; prompt?: unknown } | null) ?? {};
        const model = typeof asked.model === "string" ? asked.model : "";
        if (!model || !exists(model)) return { status: 404, json: { error: `model '${model}' not found` } };
        if (typeof asked.prompt === "string" && asked.prompt.length > 0) return { status: 400, json: { error: "the fake only loads models (empty prompt)" } };
        loaded.add(ollamaModelName(model));
        return { status: 200, json: { model, created_at: new Date().toISOString(), response: "", done: true, done_reason: "load" } };
      }
      if (method === "POST" && path === "/api/show") {
        const asked = (body as { model?: unknown; name?: unknown } | null) ?? {};
        const model = typeof asked.model === "string" ? asked.model : typeof asked.name === "string" ? asked.name : "";
        if (!model || !exists(model)) return { status: 404, json: { error: `model '${model}' not found` } };
        return {
          status: 200,
          json: {
            license: "Apache License 2.0",
            modelfile: `FROM ${ollamaModelName(model)}\n`,
            parameters,
            template: "{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n",
            details,
            model_info: {
              "general.architecture": "qwen2",
              "general.parameter_count": 7_615_616_512,
              "qwen2.context_length": trained,
              "qwen2.embedding_length": 3_584,
              "qwen2.block_count": 28,
            },
            capabilities: ["completion", "tools"],
            modified_at: "2025-09-01T10:00:00Z",
          },
        };
      }
      if (method === "GET" && path === "/v1/models") {
        return { status: 200, json: { object: "list", data: [...known].map((id) => ({ id, object: "model", created: CREATED, owned_by: "library" })) } };
      }
      return null;
    },
    notFound: () => ({ status: 404, text: "404 page not found" }),
  };
}

function lmStudioFlavour(config: FakeFlavourConfig, models: string[], knowsModel: KnowsModel): FakeFlavour {
  const window = config.contextWindow ?? 4_096;
  const trained = trainedFor(config, window);
  return {
    name: "lmstudio",
    contextWindow: window,
    trainedContextWindow: trained,
    judgeLength(_messages, promptTokens) {
      // LM Studio refuses a prompt it cannot hold at all, and stops an answer at the limit
      if (promptTokens >= window) {
        return {
          refusal: {
            status: 400,
            json: {
              error: `Trying to keep the first ${promptTokens} tokens when context the overflows. However, the model is loaded with context length of only ${window} tokens, which is not enough. Try to load the model with a larger context length, or provide a shorter input`,
            },
          },
          generationBudget: null,
          truncation: null,
        };
      }
      return { refusal: null, generationBudget: window - promptTokens, truncation: null };
    },
    knowsModel,
    noteChat() {},
    route(method, path) {
      if (method !== "GET") return null;
      if (path === "/api/v0/models") {
        return {
          status: 200,
          json: {
            object: "list",
            data: models.map((id) => ({
              id,
              object: "model",
              type: "llm",
              publisher: "lmstudio-community",
              arch: "qwen2",
              compatibility_type: "gguf",
              quantization: "Q4_K_M",
              state: "loaded",
              max_context_length: trained,
              loaded_context_length: window,
            })),
          },
        };
      }
      if (path === "/v1/models") {
        return { status: 200, json: { object: "list", data: models.map((id) => ({ id, object: "model", owned_by: "organization_owner" })) } };
      }
      return null;
    },
    notFound: (method, path) => ({ status: 404, json: { error: `Unexpected endpoint or method. (${method} ${path})` } }),
  };
}
