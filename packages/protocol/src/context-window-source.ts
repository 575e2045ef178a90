import { z } from "zod";

/**
 * Where a model's context window came from, most trusted first: the setting (ALMA_CONTEXT_WINDOW), the server's own
 * refusal ("maximum context length is N"), the server's metadata endpoint, the embedded engine's loaded context, the
 * table of known OpenAI models, or the conservative default when nothing told it.
 */
export const contextWindowSourceSchema = z.enum(["setting", "error", "server", "engine", "known", "default"]);
export type ContextWindowSource = z.infer<typeof contextWindowSourceSchema>;

/** The window with its provenance, as /health, the model badge and the context meter show it. */
export const contextWindowInfoSchema = z.object({
  tokens: z.number().int().positive(),
  source: contextWindowSourceSchema,
  /** e.g. "vLLM: GET /v1/models max_model_len", "llama.cpp: GET /props n_ctx (2 slots)", "assumed: nothing told the window" */
  detail: z.string(),
  /** the kind of server alma recognised behind the OpenAI-compatible URL, when it could tell */
  server: z.enum(["openai", "vllm", "llamacpp", "ollama", "lmstudio", "unknown", "local", "scripted"]).nullable(),
});
export type ContextWindowInfo = z.infer<typeof contextWindowInfoSchema>;
