// Each names the window itself, never the request's size ("you requested M tokens" must not match).
const LIMIT_PATTERNS: readonly RegExp[] = [
  // OpenAI, vLLM (both wordings), many proxies
  /maximum context length (?:is|of) ([\d,_]+) tokens/i,
  // llama.cpp: "exceeds the available context size (4096 tokens)"
  /available context size \(([\d,_]+) tokens\)/i,
  // LM Studio: "loaded with context length of only 4096 tokens"
  /context length of only ([\d,_]+) tokens/i,
  // SGLang: "longer than the model's context length (4096 tokens)"
  /context length \(([\d,_]+) tokens\)/i,
  /context window of ([\d,_]+) tokens/i,
  /context (?:length|window|size) (?:is|of) ([\d,_]+)(?: tokens)?\b/i,
  // llama.cpp / LM Studio internals: "n_ctx: 4096", "n_ctx = 4096"
  /\bn_ctx\s*[=:]\s*([\d,_]+)/i,
  // "Input length 6491 exceeds context length 1500"
  /exceeds (?:the )?(?:model's )?context length (?:of )?([\d,_]+)/i,
  // Hugging Face TGI: "`inputs` tokens + `max_new_tokens` must be <= 4096"
  /max_new_tokens`? must be <= ([\d,_]+)/i,
];

function toCount(raw: unknown): number | null {
  const n = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw.replace(/[,_]/g, "")) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

function fromText(text: string): number | null {
  for (const pattern of LIMIT_PATTERNS) {
    const match = pattern.exec(text);
    const n = match ? toCount(match[1]) : null;
    if (n !== null) return n;
  }
  return null;
}

function fromBody(body: unknown, depth = 0): number | null {
  if (depth > 2 || body === null || typeof body !== "object") return typeof body === "string" ? fromText(body) : null;
  const record = body as Record<string, unknown>;
  return toCount(record.n_ctx) ?? fromBody(record.error, depth + 1) ?? (typeof record.message === "string" ? fromText(record.message) : null);
}

/**
 * The context window a server's refusal states, in each server's words (OpenAI, vLLM, llama.cpp, LM Studio, ...),
 * or null when it names none. `body` is the error payload (llama.cpp puts `n_ctx` there); a structured number wins
 * over the message.
 */
export function parseContextLimit(message: string, body?: unknown): number | null {
  return fromBody(body) ?? fromText(message);
}
