import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildApp, type BuildAppOptions } from "@alma/server/build-app";

/**
 * alma's whole server path (socket, agent, memory accounting, SQLite persistence, metrics) as a benchmark child:
 * configured as main.ts would from the environment, with every limit raised so the benchmarks
 * measure speed rather than the rate limiter, and a fresh database file (WAL, like production) per process.
 */
const dataDir = mkdtempSync(join(tmpdir(), "alma-bench-"));
export const benchModelPath = fileURLToPath(new URL("../../../shared/models/stories260K.gguf", import.meta.url));

const provider = process.env.BENCH_PROVIDER === "local" ? "local" : "openai";
const overrides = JSON.parse(process.env.BENCH_ALMA_CONFIG ?? "{}") as Partial<BuildAppOptions["config"]>;

const config: BuildAppOptions["config"] = {
  host: "127.0.0.1",
  port: 0,
  logLevel: "warn",
  provider,
  openai: { apiKey: "bench-key", baseUrl: process.env.UPSTREAM_URL ?? null, model: "scripted" },
  local: { model: process.env.BENCH_MODEL ?? benchModelPath, cacheDir: join(dataDir, "models"), threads: 1, contextSize: null },
  contextWindow: provider === "openai" ? 128_000 : null,
  maxOutputTokens: 32_768,
  providerMaxRetries: 0,
  firstTokenTimeoutMs: 120_000,
  idleTimeoutMs: 120_000,
  dbPath: join(dataDir, "alma.db"),
  undoWindowMs: 30_000,
  allowedOrigins: ["http://127.0.0.1:3000"],
  authToken: null,
  maxFrameBytes: 4 * 1024 * 1024,
  runDeadlineMs: 600_000,
  limits: {
    maxRunsPerConnection: 100,
    maxRunsPerServer: 10_000,
    messagesPerMinute: 100_000,
    maxConnections: 100_000,
    httpRequestsPerMinute: 1_000_000,
  },
  resumeGraceMs: 15_000,
  replayBufferEvents: 8192,
  flushIntervalMs: 500,
  shutdownDeadlineMs: 1000,
  handshakeTimeoutMs: 60_000,
  ...overrides,
};

const app = await buildApp({ config });
const address = await app.listen({ host: "127.0.0.1", port: 0 });
process.send?.({ url: `${address.replace(/^http/, "ws")}/ws` });

process.on("SIGTERM", () => {
  void app.close().finally(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
