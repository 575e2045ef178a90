/**
 * Starts everything the browser tests need, on 127.0.0.1: a fake OpenAI-compatible upstream, the real
 * alma server over it, and the web app (next start, or next dev with ALMA_E2E_DEV=1) pointed at that server.
 * Also a tiny control endpoint the tests use to drop every WebSocket (to see the banner and the reconnect).
 * Playwright runs this as its webServer and stops it when the tests end.
 *
 * Variants: `--local` runs the embedded model; `--missing` a local model whose file does not exist (the
 * setup screen); `--download` a local model given as a URL the stack serves and holds part-way until a
 * test POSTs /release-download (the download progress, then ready); `--docs` the fake upstream under a
 * real-looking model name and window, for the README's screenshot.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeOpenAI } from "@alma/testing";
import { buildApp } from "@alma/server/build-app";
import { loadConfig } from "@alma/server";
import { createFakeModelHandler } from "./fake-model";
import { startHeldDownloadServer } from "./held-download-server";
import { STACKS, type StackName } from "./ports";

const webDir = fileURLToPath(new URL("..", import.meta.url));

const stack: StackName = (["local", "missing", "download", "docs"] as const).find((s) => process.argv.includes(`--${s}`)) ?? "fake";
// the docs stack is the fake one dressed as a real model, for the README's screenshot
const fakeUpstream = stack === "fake" || stack === "docs";
const fakeModelName = stack === "docs" ? "qwen2.5:7b-instruct" : "fake-model";
const fakeWindow = stack === "docs" ? 32768 : 8192;
const { webPort: E2E_WEB_PORT, controlPort: E2E_CONTROL_PORT } = STACKS[stack];
// resolved from the repository, as CI clones it with shared/ beside it
const localModel = fileURLToPath(new URL("../../../../shared/models/stories260K.gguf", import.meta.url));

async function main() {
  const upstream = fakeUpstream ? await startFakeOpenAI({ handler: createFakeModelHandler(), apiKey: "sk-e2e-test-key", contextWindow: fakeWindow }) : null;
  const held = stack === "download" ? await startHeldDownloadServer(localModel) : null;
  // an emptied model cache, so the model is really downloaded (and a missing file really missing); named by
  // port and emptied here, as Playwright may kill the stack before its own cleanup runs
  const scratch = stack === "missing" || stack === "download" ? join(tmpdir(), `alma-e2e-${stack}-${E2E_WEB_PORT}`) : null;
  if (scratch) {
    await rm(scratch, { recursive: true, force: true });
    await mkdir(scratch, { recursive: true });
  }
  const webOrigin = `http://127.0.0.1:${E2E_WEB_PORT}`;
  const local = { ALMA_PROVIDER: "local", ALMA_THREADS: "1", ALMA_CONTEXT_SIZE: "512", ALMA_MAX_OUTPUT_TOKENS: "64" };
  const provider: Record<string, string> = upstream
    ? {
        ALMA_PROVIDER: "openai",
        OPENAI_BASE_URL: upstream.url,
        OPENAI_API_KEY: "sk-e2e-test-key",
        OPENAI_MODEL: fakeModelName,
        ALMA_CONTEXT_WINDOW: String(fakeWindow),
      }
    : held && scratch
      ? { ...local, ALMA_MODEL: held.url, ALMA_MODEL_CACHE_DIR: scratch }
      : scratch
        ? { ...local, ALMA_MODEL: join(scratch, "no-such-model.gguf") }
        : { ...local, ALMA_MODEL: localModel };
  const config = loadConfig(
    {
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: process.env.ALMA_E2E_LOG_LEVEL ?? "warn",
      ...provider,
      ALMA_PROVIDER_MAX_RETRIES: "0",
      ALMA_DB_PATH: ":memory:",
      ALMA_ALLOWED_ORIGINS: `${webOrigin},http://localhost:${E2E_WEB_PORT}`,
      ALMA_MESSAGES_PER_MINUTE: "10000",
      ALMA_HTTP_REQUESTS_PER_MINUTE: "100000",
      ALMA_MAX_RUNS_PER_CONNECTION: "4",
      ALMA_RESUME_GRACE_MS: "20000",
    },
    webDir,
  );
  const app = await buildApp({ config });
  // Every TCP connection to the server, so the tests can cut them all as a network failure would.
  const sockets = new Set<Socket>();
  app.server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const serverPort = (app.server.address() as AddressInfo).port;
  const serverUrl = `ws://127.0.0.1:${serverPort}/ws`;

  const control: Server = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/drop-sockets") {
      const n = sockets.size;
      for (const s of sockets) s.destroy();
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ dropped: n }));
      return;
    }
    if (req.method === "POST" && req.url === "/release-download") {
      held?.release();
      res.writeHead(held ? 200 : 404, { "content-type": "application/json" }).end(JSON.stringify({ released: held !== null }));
      return;
    }
    if (req.url === "/info") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ stack, serverUrl, upstream: upstream?.url ?? null }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => control.once("error", reject).listen(E2E_CONTROL_PORT, "127.0.0.1", () => resolve()));

  const dev = process.env.ALMA_E2E_DEV === "1";
  const nextBin = fileURLToPath(new URL("../node_modules/next/dist/bin/next", import.meta.url));
  const web: ChildProcess = spawn(
    process.execPath,
    [nextBin, ...(dev ? ["dev", "--webpack"] : ["start"]), "--hostname", "127.0.0.1", "--port", String(E2E_WEB_PORT)],
    {
      cwd: webDir,
      env: { ...process.env, NEXT_PUBLIC_ALMA_SERVER_URL: serverUrl, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  console.log(`[e2e:${stack}] model ${upstream?.url ?? provider.ALMA_MODEL}, server ${serverUrl}, web ${webOrigin} (${dev ? "dev" : "start"})`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    web.kill("SIGTERM");
    control.close();
    await app.close().catch(() => undefined);
    await upstream?.close().catch(() => undefined);
    await held?.close().catch(() => undefined);
    if (scratch) await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
    process.exit(0);
  };
  web.on("exit", (code) => {
    if (!stopping) {
      console.error(`[e2e:${stack}] the web app exited (code ${code})`);
      void stop();
    }
  });
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

main().catch((err: unknown) => {
  console.error("[e2e] could not start the stack:", err);
  process.exit(1);
});
