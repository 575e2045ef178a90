import { z } from "zod";

/** The small instruct model used when nothing else is configured (about 400 MB, downloaded once). */
export const DEFAULT_LOCAL_MODEL = "hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf";

const positiveInt = z.number().int().positive();

export const llmConfigSchema = z.strictObject({
  /** unset: openai when an OpenAI key or base URL is given, else local */
  provider: z.enum(["openai", "local", "scripted"]).optional(),
  openai: z
    .strictObject({
      apiKey: z.string().min(1).optional(),
      baseURL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as http://127.0.0.1:11434/v1" }).optional(),
      model: z.string().min(1).optional(),
      contextWindow: positiveInt.optional(),
      requestTimeoutMs: positiveInt.optional(),
      ttftTimeoutMs: positiveInt.optional(),
      idleTimeoutMs: positiveInt.optional(),
      maxTokensParam: z.enum(["max_tokens", "max_completion_tokens"]).optional(),
      /** ask GET /models at start so a refused key shows before the first message */
      probe: z.boolean().default(true),
    })
    .default({ probe: true }),
  local: z
    .strictObject({
      model: z.string().min(1).default(DEFAULT_LOCAL_MODEL),
      modelsDir: z.string().min(1).optional(),
      threads: positiveInt.max(256).default(1),
      contextSize: positiveInt.optional(),
      maxContextSize: positiveInt.optional(),
      progressBar: z.boolean().optional(),
      /** a Hugging Face mirror for hf: URIs (HF_ENDPOINT) */
      hfEndpoint: z.url({ protocol: /^https?$/ }).optional(),
    })
    .default({ model: DEFAULT_LOCAL_MODEL, threads: 1 }),
  scripted: z
    .strictObject({
      model: z.string().min(1).optional(),
      tokensPerSecond: z.number().nonnegative().default(0),
      reply: z.string().optional(),
      contextWindow: positiveInt.optional(),
    })
    .default({ tokensPerSecond: 0 }),
});

export type LlmConfigInput = z.input<typeof llmConfigSchema>;
export type LlmConfig = z.output<typeof llmConfigSchema>;

/** Validates model settings; throws one Error naming every wrong setting. */
export function parseLlmConfig(input: unknown): LlmConfig {
  const result = llmConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new Error(`Invalid model settings:\n${z.prettifyError(result.error)}`);
  return result.data;
}

/** Which provider a config selects: the explicit one, else openai when a key or base URL is set, else local. */
export function chooseProvider(config: LlmConfig): "openai" | "local" | "scripted" {
  if (config.provider) return config.provider;
  return config.openai.apiKey || config.openai.baseURL ? "openai" : "local";
}

function text(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function num(value: string | undefined): number | undefined {
  const t = text(value);
  return t === undefined ? undefined : Number(t);
}

/**
 * Maps environment variables to an LlmConfig input (validate it with parseLlmConfig):
 * ALMA_PROVIDER, OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL, ALMA_CONTEXT_WINDOW, ALMA_TTFT_TIMEOUT_MS (or the older ALMA_FIRST_TOKEN_TIMEOUT_MS),
 * ALMA_IDLE_TIMEOUT_MS, ALMA_MODEL, ALMA_MODEL_CACHE_DIR, ALMA_THREADS, ALMA_CONTEXT_SIZE, HF_ENDPOINT, ALMA_SCRIPTED_TPS
 * (the same names apps/server reads).
 */
export function llmConfigFromEnv(env: Record<string, string | undefined>): LlmConfigInput {
  const drop = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return drop({
    provider: text(env.ALMA_PROVIDER) as LlmConfigInput["provider"],
    openai: drop({
      apiKey: text(env.OPENAI_API_KEY),
      baseURL: text(env.OPENAI_BASE_URL),
      model: text(env.OPENAI_MODEL),
      contextWindow: num(env.ALMA_CONTEXT_WINDOW),
      ttftTimeoutMs: num(env.ALMA_TTFT_TIMEOUT_MS ?? env.ALMA_FIRST_TOKEN_TIMEOUT_MS),
      idleTimeoutMs: num(env.ALMA_IDLE_TIMEOUT_MS),
    }),
    local: drop({
      model: text(env.ALMA_MODEL),
      modelsDir: text(env.ALMA_MODEL_CACHE_DIR),
      threads: num(env.ALMA_THREADS),
      contextSize: num(env.ALMA_CONTEXT_SIZE),
      hfEndpoint: text(env.HF_ENDPOINT),
    }),
    scripted: drop({ tokensPerSecond: num(env.ALMA_SCRIPTED_TPS) }),
  });
}
