/** The three ways to make a model ready, shown whenever none is. */
export const MODEL_SETUP_STEPS: readonly string[] = [
  "Set OPENAI_API_KEY to use OpenAI (optionally OPENAI_MODEL to pick the model).",
  "Set OPENAI_BASE_URL to an OpenAI-compatible server such as Ollama (http://127.0.0.1:11434/v1), vLLM, LM Studio or llama.cpp's server.",
  "Set ALMA_MODEL to a local GGUF file path (or an hf: URI to download once) to run a model in-process.",
];
