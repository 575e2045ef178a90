import { errorText } from "./error-text.js";

export type DiscoveredServer = "openai" | "vllm" | "llamacpp" | "ollama" | "lmstudio" | "unknown";

export interface DiscoveredWindow {
  /** the runtime window the server reported, null when nothing told it */
  tokens: number | null;
  server: DiscoveredServer;
  /** where the figure came from, e.g. "llama.cpp: GET /props default_generation_settings.n_ctx" */
  detail: string;
  /** the server cuts an over-long prompt without an error (Ollama), so a refusal will never teach the window */
  silentTruncation: boolean;
  /** the model's trained maximum when the server told it (never used as `tokens`) */
  trainedTokens?: number | null;
  /** how many requests the server runs at once (llama.cpp's slots), when it tells */
  slots?: number | null;
}

export interface DiscoverContextWindowOptions {
  /** the OpenAI-compatible base URL, usually ending in /v1 */
  baseURL: string;
  model: string;
  apiKey?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** per probe; default 2000 */
  timeoutMs?: number;
  /** Ollama: load a model that is not loaded yet (an empty /api/generate), to read the context it loads with; default true */
  loadOllamaModel?: boolean;
}

const DEFAULT_TIMEOUT_MS = 2_000;
// what Ollama loads a model with when nothing sets num_ctx (it varies with version, VRAM and OLLAMA_CONTEXT_LENGTH)
const OLLAMA_DEFAULT_CONTEXT = 4_096;
// loading a model from disk can take a while; the first answer would wait for it anyway
const OLLAMA_LOAD_TIMEOUT_MS = 60_000;

type Probe = { ok: true; status: number; json: unknown; text: string } | { ok: false; status: number | null; why: string };

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function positiveInt(v: unknown): number | null {
  return typeof v === "number" && Number.isSafeInteger(v) && v > 0 ? v : null;
}

function entries(json: unknown): Json[] {
  return isRecord(json) && Array.isArray(json.data) ? json.data.filter(isRecord) : [];
}

function ollamaName(name: unknown): string | null {
  return typeof name === "string" ? name.replace(/:latest$/, "") : null;
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/**
 * Asks the server behind an OpenAI-compatible URL for the model's context window, the way each server tells it
 * (vLLM /v1/models max_model_len, llama.cpp /props n_ctx, Ollama /api/ps and /api/show, LM Studio /api/v0/models).
 * Only reads metadata (never sends a chat request), and never throws: a failure ends in `tokens: null` with a detail.
 */
export async function discoverContextWindow(opts: DiscoverContextWindowOptions): Promise<DiscoveredWindow> {
  try {
    return await discover(opts);
  } catch (e) {
    return unknown(`could not ask the server at ${opts.baseURL}: ${errorText(e)}`);
  }
}

function unknown(detail: string): DiscoveredWindow {
  return { tokens: null, server: "unknown", detail, silentTruncation: false };
}

async function discover(opts: DiscoverContextWindowOptions): Promise<DiscoveredWindow> {
  let parsed: URL;
  try {
    parsed = new URL(opts.baseURL);
  } catch {
    return unknown(`not a URL: ${opts.baseURL}`);
  }
  if (parsed.hostname === "api.openai.com") {
    return { tokens: null, server: "openai", detail: "OpenAI: the API does not tell the window; the known models' table does", silentTruncation: false };
  }
  const base = withoutTrailingSlash(opts.baseURL);
  const root = base.replace(/\/v1$/, "");
  const basePath = withoutTrailingSlash(new URL(base).pathname);
  const doFetch = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;

  async function probe(url: string, init: { method?: string; body?: string } = {}, ms = timeoutMs): Promise<Probe> {
    const timeout = AbortSignal.timeout(ms);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    try {
      const res = await doFetch(url, {
        method: init.method ?? "GET",
        headers: init.body !== undefined ? { ...headers, "content-type": "application/json" } : headers,
        body: init.body,
        signal,
      });
      const text = await res.text();
      if (!res.ok) return { ok: false, status: res.status, why: `HTTP ${res.status}` };
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      return { ok: true, status: res.status, json, text };
    } catch (e) {
      const why = timeout.aborted ? `no answer within ${timeoutMs} ms` : opts.signal?.aborted ? "aborted" : errorText(e);
      return { ok: false, status: null, why };
    }
  }

  const [models, props, ollamaVersion, ollamaRoot, lmModels, version] = await Promise.all([
    probe(`${base}/models`),
    probe(`${root}/props`),
    probe(`${root}/api/version`),
    probe(`${root}/`),
    probe(`${root}/api/v0/models`),
    probe(`${root}/version`),
  ]);
  if (opts.signal?.aborted) return unknown("context window discovery was aborted");

  const modelEntry = (list: Json[]): Json | undefined =>
    list.find((m) => m.id === opts.model) ?? list.find((m) => m.root === opts.model) ?? (list.length === 1 ? list[0] : undefined);

  const llama = llamaCppWindow(props, "/props", models.ok ? modelEntry(entries(models.json)) : undefined);
  if (llama) return llama;

  const lmStudio = lmStudioWindow(lmModels, opts.model);
  if (lmStudio) return lmStudio;

  const isOllama =
    (ollamaVersion.ok && isRecord(ollamaVersion.json) && typeof ollamaVersion.json.version === "string") ||
    (ollamaRoot.ok && ollamaRoot.text.includes("Ollama is running"));
  if (isOllama) {
    const [ps, show] = await Promise.all([probe(`${root}/api/ps`), probe(`${root}/api/show`, { method: "POST", body: JSON.stringify({ model: opts.model }) })]);
    const first = ollamaWindow(ps, show, opts.model);
    if (opts.loadOllamaModel === false || !show.ok || !first.detail.includes("not loaded")) return first;
    // Ollama's OpenAI endpoint cuts silently at the context it loads with, which only /api/ps tells: load it now
    // (an empty prompt only loads) so the first answer is already sized for it
    const load = await probe(`${root}/api/generate`, { method: "POST", body: JSON.stringify({ model: opts.model, prompt: "" }) }, OLLAMA_LOAD_TIMEOUT_MS);
    if (!load.ok) return first;
    return ollamaWindow(await probe(`${root}/api/ps`), show, opts.model);
  }

  const isVllm = version.ok && isRecord(version.json) && typeof version.json.version === "string";
  const listed = models.ok ? modelEntry(entries(models.json)) : undefined;
  const maxModelLen = positiveInt(listed?.max_model_len);
  if (maxModelLen !== null) {
    const vllm = isVllm || listed?.owned_by === "vllm";
    return {
      tokens: maxModelLen,
      server: vllm ? "vllm" : "unknown",
      detail: `${vllm ? "vLLM" : "OpenAI-compatible server"}: GET ${basePath}/models max_model_len`,
      silentTruncation: false,
    };
  }
  if (isVllm) {
    return { tokens: null, server: "vllm", detail: `vLLM: GET ${basePath}/models gave no max_model_len for "${opts.model}"`, silentTruncation: false };
  }

  // newer llama-server builds also answer under /v1; only worth a round trip when nothing else was recognised
  if (root !== base) {
    const v1Llama = llamaCppWindow(await probe(`${base}/props`), `${basePath}/props`, listed);
    if (v1Llama) return v1Llama;
  }

  const reached = [models, props, ollamaVersion, ollamaRoot, lmModels, version].some((p) => p.ok || p.status !== null);
  if (!reached) return unknown(`could not reach the server at ${base}: ${"why" in models ? models.why : "no answer"}`);
  return unknown(`unknown server: nothing told the window (tried GET ${basePath}/models, /props, /api/version, /api/v0/models, /version)`);
}

function llamaCppWindow(props: Probe, path: string, listed: Json | undefined): DiscoveredWindow | null {
  if (!props.ok || !isRecord(props.json) || !isRecord(props.json.default_generation_settings)) return null;
  // n_ctx_train in /v1/models is the training context, not what the server runs with: only ever "trained"
  const trainedTokens = isRecord(listed?.meta) ? positiveInt(listed.meta.n_ctx_train) : null;
  const nCtx = positiveInt(props.json.default_generation_settings.n_ctx);
  const slots = positiveInt(props.json.total_slots);
  if (nCtx === null)
    return {
      tokens: null,
      server: "llamacpp",
      detail: `llama.cpp: GET ${path} gave no default_generation_settings.n_ctx`,
      silentTruncation: false,
      trainedTokens,
      slots,
    };
  // n_ctx is already one slot's share of -c, which is all a single request may use
  const perSlot = slots !== null && slots > 1 ? ` (per slot, ${slots} slots)` : "";
  return {
    tokens: nCtx,
    server: "llamacpp",
    detail: `llama.cpp: GET ${path} default_generation_settings.n_ctx${perSlot}`,
    silentTruncation: false,
    trainedTokens,
    slots,
  };
}

function lmStudioWindow(probe: Probe, model: string): DiscoveredWindow | null {
  if (!probe.ok) return null;
  const list = entries(probe.json);
  if (!isRecord(probe.json) || !Array.isArray(probe.json.data)) return null;
  const llms = list.filter((m) => m.type === undefined || m.type === "llm" || m.type === "vlm");
  const entry = list.find((m) => m.id === model) ?? (llms.length === 1 ? llms[0] : undefined);
  if (!entry) return { tokens: null, server: "lmstudio", detail: `LM Studio: "${model}" is not in GET /api/v0/models`, silentTruncation: false };
  const loaded = positiveInt(entry.loaded_context_length);
  const trainedTokens = positiveInt(entry.max_context_length);
  if (loaded !== null)
    return { tokens: loaded, server: "lmstudio", detail: "LM Studio: GET /api/v0/models loaded_context_length", silentTruncation: false, trainedTokens };
  if (trainedTokens !== null) {
    return {
      tokens: trainedTokens,
      server: "lmstudio",
      detail: "LM Studio: GET /api/v0/models max_context_length (not loaded)",
      silentTruncation: false,
      trainedTokens,
    };
  }
  return { tokens: null, server: "lmstudio", detail: "LM Studio: GET /api/v0/models gave no context length", silentTruncation: false, trainedTokens: null };
}

function ollamaTrained(show: Probe): number | null {
  if (!show.ok || !isRecord(show.json) || !isRecord(show.json.model_info)) return null;
  const info = show.json.model_info;
  const arch = info["general.architecture"];
  const exact = typeof arch === "string" ? positiveInt(info[`${arch}.context_length`]) : null;
  if (exact !== null) return exact;
  const key = Object.keys(info).find((k) => k.endsWith(".context_length"));
  return key ? positiveInt(info[key]) : null;
}

function ollamaNumCtx(show: Probe): number | null {
  if (!show.ok || !isRecord(show.json) || typeof show.json.parameters !== "string") return null;
  const match = /^\s*num_ctx\s+(\d+)\s*$/m.exec(show.json.parameters);
  return match ? positiveInt(Number(match[1])) : null;
}

function ollamaWindow(ps: Probe, show: Probe, model: string): DiscoveredWindow {
  const trainedTokens = ollamaTrained(show);
  const wanted = ollamaName(model);
  const running = ps.ok && isRecord(ps.json) && Array.isArray(ps.json.models) ? ps.json.models.filter(isRecord) : [];
  const loadedEntry = running.find((m) => ollamaName(m.name) === wanted || ollamaName(m.model) === wanted);
  const loaded = positiveInt(loadedEntry?.context_length);
  const result = (tokens: number, detail: string): DiscoveredWindow => ({ tokens, server: "ollama", detail, silentTruncation: true, trainedTokens });
  if (loaded !== null) return result(loaded, "Ollama: GET /api/ps context_length (the loaded context)");
  const numCtx = ollamaNumCtx(show);
  if (numCtx !== null) {
    const capped = trainedTokens !== null ? Math.min(numCtx, trainedTokens) : numCtx;
    return result(capped, "Ollama: POST /api/show parameters num_ctx (model not loaded yet)");
  }
  const assumed = trainedTokens !== null ? Math.min(OLLAMA_DEFAULT_CONTEXT, trainedTokens) : OLLAMA_DEFAULT_CONTEXT;
  const why = show.ok ? "no num_ctx in POST /api/show" : `POST /api/show: ${show.why}`;
  return result(assumed, `Ollama: model not loaded yet (not in GET /api/ps) and ${why}; assumed Ollama's default context of ${assumed}`);
}
