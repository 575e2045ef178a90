import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildApp } from "@alma/server/build-app";
import { loadConfig } from "@alma/server";
import { serveMemoryProbe } from "../lib/memory-probe.js";

/**
 * alma's whole server path (socket, agent, memory accounting, SQLite persistence, metrics) as a benchmark child,
 * configured through the same environment settings main.ts reads, with every limit raised so the benchmarks
 * measure speed rather than the rate limiter, and a fresh database file (WAL, as in production) per process.
 */
const dataDir = mkdtempSync(join(tmpdir(), "alma-bench-"));
const benchModelPath = fileURLToPath(new URL("../../../shared/models/stories260K.gguf", import.meta.url));
const provider = process.env.BENCH_PROVIDER === "local" ? "local" : "openai";

const env: Record<string, string | undefined> = {
  HOST: "127.0.0.1",
  PORT: "0",
  LOG_LEVEL: "warn",
  ALMA_PROVIDER: provider,
  ...(provider === "openai"
    ? { OPENAI_BASE_URL: process.env.UPSTREAM_URL, OPENAI_API_KEY: "bench-key", OPENAI_MODEL: "scripted", ALMA_CONTEXT_WINDOW: "128000" }
    : { ALMA_MODEL: process.env.BENCH_MODEL ?? benchModelPath, ALMA_THREADS: "1" }),
  ALMA_DB_PATH: join(dataDir, "alma.db"),
  ALMA_PROVIDER_MAX_RETRIES: "0",
  ALMA_MAX_OUTPUT_TOKENS: "32768",
  ALMA_RUN_DEADLINE_MS: "600000",
  ALMA_FIRST_TOKEN_TIMEOUT_MS: "120000",
  ALMA_IDLE_TIMEOUT_MS: "120000",
  ALMA_MAX_RUNS_PER_CONNECTION: "100",
  ALMA_MAX_RUNS_PER_SERVER: "10000",
  ALMA_MESSAGES_PER_MINUTE: "100000",
  ALMA_MAX_CONNECTIONS: "100000",
  ALMA_HTTP_REQUESTS_PER_MINUTE: "1000000",
  ALMA_HANDSHAKE_TIMEOUT_MS: "60000",
  ALMA_SHUTDOWN_DEADLINE_MS: "1000",
  // per-benchmark overrides, e.g. {"ALMA_FLUSH_INTERVAL_MS":"50"}
  ...(JSON.parse(process.env.BENCH_ALMA_ENV ?? "{}") as Record<string, string>),
};

const app = await buildApp({ config: loadConfig(env, dataDir) });
const address = await app.listen({ host: "127.0.0.1", port: 0 });
serveMemoryProbe(() => ({ activeRuns: app.alma.hub.active, connections: app.alma.connections.size }));
process.send?.({ url: `${address.replace(/^http/, "ws")}/ws` });

process.on("SIGTERM", () => {
  void app.close().finally(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
