import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { buildApp } from "@alma/server/build-app";
import { loadConfig } from "@alma/server";
import { ScriptedChatModel } from "@alma/llm";

const dataDir = mkdtempSync(join(tmpdir(), "alma-probe-"));
const config = loadConfig({ HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "warn", ALMA_PROVIDER: "openai", OPENAI_BASE_URL: "http://127.0.0.1:9/v1", OPENAI_API_KEY: "k", OPENAI_MODEL: "scripted", ALMA_CONTEXT_WINDOW: "128000",
  ALMA_DB_PATH: join(dataDir, "a.db"), ALMA_MAX_RUNS_PER_CONNECTION: "100", ALMA_MAX_RUNS_PER_SERVER: "10000", ALMA_MESSAGES_PER_MINUTE: "100000", ALMA_MAX_CONNECTIONS: "100000", ALMA_HTTP_REQUESTS_PER_MINUTE: "1000000" }, dataDir);
const model = new ScriptedChatModel({ reply: () => ({ tokens: Array.from({ length: 20 }, (_, i) => `w${i} `) }), contextWindow: 128000 } as never);
const app = await buildApp({ config, model });
const timings = new Map<string, number[]>();
function wrap(obj: any, name: string, label = name) {
  const orig = obj[name].bind(obj);
  obj[name] = (...a: unknown[]) => { const t = performance.now(); try { return orig(...a); } finally { (timings.get(label) ?? timings.set(label, []).get(label)!).push(performance.now() - t); } };
}
const store = app.alma.store as any;
for (const m of ["addUserMessage", "addAssistantMessage", "listContextMessages", "getConversation", "listPinnedFacts", "updateAssistantMessage", "createConversation", "findUserMessageByClientId", "getMessage", "listMessages"]) wrap(store, m);
const address = await app.listen({ host: "127.0.0.1", port: 0 });
const ws = new WebSocket(address.replace("http", "ws") + "/ws");
const frames: any[] = [];
let waiter: ((f: any) => void) | null = null;
ws.on("message", (d) => { const f = JSON.parse(String(d)); frames.push(f); waiter?.(f); });
await new Promise((r) => ws.once("open", r));
const waitFor = (pred: (f: any) => boolean) => new Promise<any>((r) => { waiter = (f) => { if (pred(f)) { waiter = null; r(f); } }; });
ws.send(JSON.stringify({ type: "hello", protocolVersion: 1 }));
await waitFor((f) => f.type === "welcome" || f.type === "error");
let conversationId: string | null = null;
const text = "x".repeat(180) + " ";
const send = async (i: number) => {
  const t = performance.now();
  ws.send(JSON.stringify({ type: "message.send", clientMessageId: `m${i}`, conversationId, content: `${i} ${text}`, options: { taskType: "creative", bypassCache: true } }));
  const acc = await waitFor((f) => f.type === "message.accepted" || f.type === "error");
  if (acc.type === "error") throw new Error(JSON.stringify(acc));
  conversationId = acc.conversationId;
  const first = await waitFor((f) => f.type === "run.token" || f.type === "run.completed");
  const ttft = performance.now() - t;
  const done = first.type === "run.completed" ? first : await waitFor((f) => f.type === "run.completed");
  return { ttft, m: done.metrics };
};
for (let i = 0; i < 100; i++) await send(i);
timings.clear();
const res = [];
for (let i = 100; i < 140; i++) res.push(await send(i));
const med = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]!; };
console.log("client ttft p50", med(res.map((r) => r.ttft)).toFixed(3), "requestBuilt", med(res.map((r) => r.m.requestBuiltMs)), "upstream", med(res.map((r) => r.m.upstreamStartedMs)), "first", med(res.map((r) => r.m.firstTokenMs)));
for (const [k, v] of timings) console.log(k.padEnd(28), "calls/send", (v.length / 40).toFixed(1), "median ms", med(v).toFixed(3), "sum/send ms", (v.reduce((a, b) => a + b, 0) / 40).toFixed(3));
ws.close(); await app.close(); process.exit(0);
