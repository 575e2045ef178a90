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

/** The usage figures of a streamed answer's last chunk. */
export interface StreamUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** One entry of a chunk's `delta.tool_calls`. */
export interface StreamToolCallDelta {
  index: number;
  id?: string;
  type?: string;
  function: { name?: string; arguments?: string };
}

/** A `chat.completion.chunk` of a streamed answer: the fields the tests read. */
export interface StreamChunk {
  object: string;
  model: string;
  choices: { index: number; delta: { role?: string; content?: string; tool_calls?: StreamToolCallDelta[] }; finish_reason: string | null }[];
  /** null on the other chunks when include_usage is set */
  usage?: StreamUsage | null;
}

/** GET a path of the server root, with the body as text and, when it is JSON, parsed */
export async function get(s: FakeOpenAIServer, path: string) {
  const res = await fetch(`${s.rootUrl}${path}`);
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, text, json, type: res.headers.get("content-type") ?? "" };
}

/** GET a path of the server root that answers JSON, read as the shape the test then checks */
export async function getJson<T>(s: FakeOpenAIServer, path: string): Promise<T> {
  const { json } = await get(s, path);
  if (json === null) throw new Error(`GET ${path} did not answer JSON`);
  return json as T;
}

/** the text, finish reason and usage of a streamed answer */
export async function streamed(res: Response): Promise<{ text: string; finish: string | null; usage: StreamUsage | null }> {
  let text = "";
  let finish: string | null = null;
  let usage: StreamUsage | null = null;
  for await (const data of readSSEData(res.body!)) {
    if (data === "[DONE]") break;
    const chunk = JSON.parse(data) as StreamChunk;
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    text += choice.delta.content ?? "";
    finish = choice.finish_reason ?? finish;
  }
  return { text, finish, usage };
}

/** the tool-call entries of a streamed answer, chunk by chunk (one array per chunk that had any), and its finish reason */
export async function streamedToolCalls(res: Response): Promise<{ text: string; deltas: StreamToolCallDelta[][]; finish: string | null }> {
  let text = "";
  const deltas: StreamToolCallDelta[][] = [];
  let finish: string | null = null;
  for await (const data of readSSEData(res.body!)) {
    if (data === "[DONE]") break;
    const choice = (JSON.parse(data) as StreamChunk).choices[0];
    if (!choice) continue;
    text += choice.delta.content ?? "";
    if (choice.delta.tool_calls) deltas.push(choice.delta.tool_calls);
    finish = choice.finish_reason ?? finish;
  }
  return { text, deltas, finish };
}

/** The calls a stream's tool-call entries add up to, the way a client assembles them (by index). */
export function assembleToolCalls(deltas: StreamToolCallDelta[][]): Array<{ id?: string; name: string; arguments: string }> {
  const calls: Array<{ id?: string; name: string; arguments: string }> = [];
  for (const delta of deltas.flat()) {
    const call = calls[delta.index] ?? { name: "", arguments: "" };
    calls[delta.index] = call;
    if (delta.id) call.id = delta.id;
    if (delta.function.name) call.name += delta.function.name;
    call.arguments += delta.function.arguments ?? "";
  }
  return calls;
}
