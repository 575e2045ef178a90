import { pathToFileURL, fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";
import { WebSocket } from "ws";
import { getLlama, LlamaChat, LlamaLogLevel } from "node-llama-cpp";
import { creativePrompt } from "@alma/agent";
import { decodeRateBetween } from "@alma/protocol";
import { summarize, formatSummary, type Summary } from "./lib/stats.js";
import { renderTable, type BenchTable } from "./lib/print-table.js";
import { startAlmaServer } from "./relay/start-paths.js";

/**
 * Benchmark 5: the embedded engine. The same GGUF model, prompt, system prompt (alma's creative template),
 * output cap, temperature 0 and one thread, generated (a) by node-llama-cpp called directly in this process
 * and (b) through alma's server with its local provider, read by a WebSocket client. Rounds alternate.
 * Decode rate = completion tokens after the first / (last token − first token); end to end = tokens / (last − send).
 */
export interface EmbeddedFigures {
  label: string;
  decodeTokensPerSecond: Summary;
  endToEndTokensPerSecond: Summary;
  completionTokens: Summary;
}

export interface EmbeddedBenchResult {
  maxTokens: number;
  rounds: number;
  direct: EmbeddedFigures;
  alma: EmbeddedFigures;
  /** alma's own measure of its decode rate (run metrics), which leaves out the WebSocket hop to the client */
  almaServerTokensPerSecond: Summary;
  /** alma over direct, per round */
  decodeRatio: Summary;
  endToEndRatio: Summary;
  table: BenchTable;
}

const modelPath = fileURLToPath(new URL("../../shared/models/stories260K.gguf", import.meta.url));
const prompt = "Once upon a time, a little girl named Lily went to the park.";

interface Sample {
  /** alma only: the run's own tokens/s after the first token, from run.completed */
  serverTokensPerSecond?: number;
  tokens: number;
  sentAt: number;
  firstAt: number;
  lastAt: number;
}

const decodeRate = (s: Sample) => decodeRateBetween(s.tokens, s.firstAt, s.lastAt) ?? Number.NaN;
const endToEndRate = (s: Sample) => s.tokens / ((s.lastAt - s.sentAt) / 1000);

/** node-llama-cpp as alma's LocalChatModel sets it up: context of min(training context, 4096), one sequence, LlamaChat. */
async function directEngine(system: string) {
  const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: Math.min(model.trainContextSize, 4096), threads: 1, sequences: 1 });
  const chat = new LlamaChat({ contextSequence: context.getSequence() });
  return {
    async generate(maxTokens: number): Promise<Sample> {
      let tokens = 0;
      let firstAt = 0;
      let lastAt = 0;
      const sentAt = performance.now();
      await chat.generateResponse(
        [
          { type: "system", text: system },
          { type: "user", text: prompt },
          { type: "model", response: [] },
        ],
        {
          maxTokens,
          temperature: 0,
          onTextChunk: () => {
            const now = performance.now();
            if (firstAt === 0) firstAt = now;
            lastAt = now;
          },
          onToken: (chunk) => {
            tokens += chunk.length;
          },
        },
      );
      return { tokens, sentAt, firstAt, lastAt };
    },
    async close() {
      chat.dispose();
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}

async function almaEngine(url: string) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const welcome = new Promise<{ model: { ready: boolean } }>((resolve) => ws.once("message", (d: Buffer) => resolve(JSON.parse(d.toString()))));
  ws.send(JSON.stringify({ type: "hello", protocolVersion: 1, client: "alma-bench-embedded" }));
  await welcome;
  return {
    generate(maxTokens: number): Promise<Sample> {
      return new Promise((resolve, reject) => {
        let firstAt = 0;
        let lastAt = 0;
        const sentAt = performance.now();
        const onMessage = (data: Buffer) => {
          const now = performance.now();
          const frame = JSON.parse(data.toString()) as {
            type: string;
            usage?: { completionTokens: number };
            metrics?: { tokensPerSecond: number | null };
          };
          if (frame.type === "run.token") {
            if (firstAt === 0) firstAt = now;
            lastAt = now;
          } else if (frame.type === "run.completed") {
            ws.off("message", onMessage);
            resolve({ tokens: frame.usage!.completionTokens, sentAt, firstAt, lastAt, serverTokensPerSecond: frame.metrics?.tokensPerSecond ?? Number.NaN });
          } else if (frame.type === "run.error" || frame.type === "error") {
            ws.off("message", onMessage);
            reject(new Error(`alma answered ${data.toString().slice(0, 400)}`));
          }
        };
        ws.on("message", onMessage);
        // a new conversation each time, so both sides generate from the same one-message prompt
        ws.send(
          JSON.stringify({
            type: "message.send",
            clientMessageId: randomUUID(),
            conversationId: null,
            content: prompt,
            options: { taskType: "creative", bypassCache: true, temperature: 0, maxOutputTokens: maxTokens },
          }),
        );
      });
    },
    async close() {
      ws.close();
    },
  };
}

async function waitUntilReady(url: string, timeoutMs = 60_000) {
  const health = url.replace(/^ws/, "http").replace(/\/ws$/, "/health");
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const body = (await fetch(health).then((r) => r.json())) as { model?: { ready?: boolean }; ready?: boolean };
    if (body.model?.ready ?? body.ready) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("alma's local model was not ready within 60 s: check the server log above");
}

export async function runEmbeddedBench({ quick = false }: { quick?: boolean } = {}): Promise<EmbeddedBenchResult> {
  const maxTokens = quick ? 100 : 400;
  const rounds = quick ? 2 : 15;
  const system = creativePrompt.render({ today: new Date().toISOString().slice(0, 10) }).system;
  const server = await startAlmaServer({ provider: "local", env: { BENCH_MODEL: modelPath } });
  const direct = await directEngine(system);
  try {
    await waitUntilReady(server.ready.url);
    const alma = await almaEngine(server.ready.url);
    const d: Sample[] = [];
    const a: Sample[] = [];
    await direct.generate(maxTokens);
    await alma.generate(maxTokens);
    for (let round = 0; round < rounds; round++) {
      d.push(await direct.generate(maxTokens));
      a.push(await alma.generate(maxTokens));
    }
    await alma.close();
    const figures = (label: string, s: Sample[]): EmbeddedFigures => ({
      label,
      decodeTokensPerSecond: summarize(s.map(decodeRate)),
      endToEndTokensPerSecond: summarize(s.map(endToEndRate)),
      completionTokens: summarize(s.map((x) => x.tokens)),
    });
    const directFigures = figures("node-llama-cpp called directly", d);
    const almaFigures = figures("alma (server + LocalChatModel), WebSocket client", a);
    const decodeRatio = summarize(a.map((x, i) => decodeRate(x) / decodeRate(d[i]!)));
    const endToEndRatio = summarize(a.map((x, i) => endToEndRate(x) / endToEndRate(d[i]!)));
    const almaServerTokensPerSecond = summarize(a.map((x) => x.serverTokensPerSecond ?? Number.NaN));
    const table: BenchTable = {
      title: `Embedded engine: stories260K.gguf, threads 1, temperature 0, maxTokens ${maxTokens} (${rounds} rounds, median (min–max))`,
      columns: ["path", "completion tokens", "decode tokens/s", "end-to-end tokens/s"],
      rows: [directFigures, almaFigures].map((f) => [
        f.label,
        formatSummary(f.completionTokens, 0),
        formatSummary(f.decodeTokensPerSecond, 0),
        formatSummary(f.endToEndTokensPerSecond, 0),
      ]),
      notes: [
        `alma / direct, decode: ${formatSummary(decodeRatio)}; end to end: ${formatSummary(endToEndRatio)}`,
        `alma's own run metrics (server side, no client hop): ${formatSummary(almaServerTokensPerSecond, 0)} tokens/s`,
        `goal ≥ 0.95 (decode): ${decodeRatio.median >= 0.95 ? "met" : "MISSED"}`,
      ],
    };
    return { maxTokens, rounds, direct: directFigures, alma: almaFigures, almaServerTokensPerSecond, decodeRatio, endToEndRatio, table };
  } finally {
    await direct.close();
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await runEmbeddedBench({ quick: process.argv.includes("--quick") });
  console.log(renderTable(result.table));
}
