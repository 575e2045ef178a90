import { CREATED, fitsUpTo, modelList, randomCallId, trainedFor, type FakeFlavour, type FakeFlavourConfig } from "./fake-flavour.js";

/** Ollama names every model with a tag; a bare name means `:latest`. */
export function ollamaModelName(name: string): string {
  return name.includes(":") ? name : `${name}:latest`;
}

/** Ollama: its /api endpoints, models that load on first use, and a prompt over the window cut silently. */
export function ollamaFakeFlavour(config: FakeFlavourConfig, models: string[]): FakeFlavour {
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
      if (promptTokens <= window) return fitsUpTo(window, promptTokens);
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
    toolCallStreaming: "whole",
    toolCallId: () => randomCallId(8, true),
    judgeTools: (model) =>
      config.refuseTools
        ? {
            status: 400,
            json: {
              error: { message: `registry.ollama.ai/library/${ollamaModelName(model)} does not support tools`, type: "api_error", param: null, code: null },
            },
          }
        : null,
    route(method, path, body) {
      if (method === "GET" && path === "/") return { status: 200, text: "Ollama is running" };
      if (method === "GET" && path === "/api/version") return { status: 200, json: { version: "0.12.3" } };
      if (method === "GET" && path === "/api/tags") {
        return {
          status: 200,
          json: {
            models: [...known].map((n) => ({ name: n, model: n, modified_at: "2025-09-01T10:00:00Z", size: 4_683_087_332, digest: "845dbda0ea48", details })),
          },
        };
      }
      if (method === "GET" && path === "/api/ps") {
        const expires = new Date(Date.now() + 5 * 60_000).toISOString();
        return {
          status: 200,
          json: {
            models: [...loaded].map((n) => ({
              name: n,
              model: n,
              size: 6_654_289_920,
              digest: "845dbda0ea48",
              details,
              expires_at: expires,
              size_vram: 6_654_289_920,
              context_length: window,
            })),
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
            capabilities: config.refuseTools ? ["completion"] : ["completion", "tools"],
            modified_at: "2025-09-01T10:00:00Z",
          },
        };
      }
      if (method === "GET" && path === "/v1/models") return modelList([...known], () => ({ created: CREATED, owned_by: "library" }));
      return null;
    },
    notFound: () => ({ status: 404, text: "404 page not found" }),
  };
}
