import { countOpenAIChatTokens } from "./count-openai-chat-tokens.js";
import { readSSEData } from "./read-sse-data.js";
import type { FakeOpenAIServer } from "./start-fake-openai.js";

// The flavour tests talk to the fake over real HTTP, the way a client would, through these.

export type Message = { role: string; content: string };
export const userHello: Message[] = [{ role: "user", content: "Hello" }];
export const HELLO_TOKENS = countOpenAIChatTokens(userHello);

/** `n` one-token words */
export const words = (n: number) => "x ".repeat(n).trim();

/** POST /v1/chat/completions for model "m" saying Hello, with `body` laid over it */
export function chat(s: FakeOpenAIServer, body: Record<string, unknown>) {
  return fetch(`${s.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", messages: userHello, ...body }),
  });
}

/** GET a path of the server root, with the body as text and, when it is JSON, parsed */
export async function get(s: FakeOpenAIServer, path: string) {
  const res = await fetch(`${s.rootUrl}${path}`);
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, text, json, type: res.headers.get("content-type") ?? "" };
}

/** the text, finish reason and usage of a streamed answer */
export async function streamed(res: Response): Promise<{ text: string; finish: string | null; usage: any }> {
  let text = "";
  let finish: string | null = null;
  let usage: any = null;
  for await (const data of readSSEData(res.body!)) {
    if (data === "[DONE]") break;
    const chunk = JSON.parse(data);
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    text += choice.delta.content ?? "";
    finish = choice.finish_reason ?? finish;
  }
  return { text, finish, usage };
}
