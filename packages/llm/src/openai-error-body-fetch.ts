/**
 * A fetch for the OpenAI SDK that gives error bodies OpenAI's shape. Older vLLM (and some proxies) answer a refusal
 * with the error at the top level (`{"object":"error","message":"…maximum context length is 2048 tokens…"}`), which
 * the SDK does not read (it looks under `error`), so the words a user and the window learning need were lost.
 */
export function withOpenAIErrorShape(base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const res = await base(input, init);
    if (res.ok || !(res.headers.get("content-type") ?? "").includes("json")) return res;
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
    }
    const top = body as Record<string, unknown> | null;
    const needsShape = top !== null && typeof top === "object" && !("error" in top) && (typeof top.message === "string" || typeof top.detail === "string");
    const shaped = needsShape ? { error: { ...top, message: typeof top.message === "string" ? top.message : top.detail } } : body;
    return new Response(JSON.stringify(shaped), { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
