import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const SERVER_DIR = fileURLToPath(new URL("../../server/", import.meta.url));
/** the production build of the server (`pnpm --filter @alma/server build`), as a deployment runs it */
export const BUILT_SERVER = `${SERVER_DIR}dist/main.js`;
// ALMA_E2E_SERVER_SOURCE=1 runs src/main.ts through tsx instead, while changing the server (no build between runs)
const fromSource = process.env.ALMA_E2E_SERVER_SOURCE === "1";
const LISTENING = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/;

export interface AlmaProcess {
  /** a name for messages: the instance id */
  name: string;
  child: ChildProcess;
  port: number;
  /** `127.0.0.1:<port>`: what nginx names it in its upstream header */
  address: string;
  /** everything it wrote, stdout and stderr interleaved */
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the built alma server in a process of its own (so a test can kill -9 it) and resolves once it listens and
 * its /health answers 200. The wait is generous: two servers and the web app start together on a 2-core machine.
 */
export async function spawnAlmaServer(name: string, env: Record<string, string>, timeoutMs = 90_000): Promise<AlmaProcess> {
  if (!fromSource && !existsSync(BUILT_SERVER)) throw new Error(`the built server ${BUILT_SERVER} is missing: run \`pnpm --filter @alma/server build\` first`);
  const child = spawn(process.execPath, fromSource ? ["--import", "tsx", "src/main.ts"] : ["--enable-source-maps", BUILT_SERVER], {
    cwd: SERVER_DIR,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const describe = () => `${name}'s output:\n${logs.join("").slice(-4000)}`;
  let stdout = "";
  const listening = new Promise<number>((resolve) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      logs.push(text);
      stdout += text;
      const m = LISTENING.exec(stdout);
      if (m) resolve(Number(m[1]));
    });
  });
  child.stderr!.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
  const polling = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`alma server ${name} did not start within ${timeoutMs} ms; ${describe()}`)), timeoutMs);
  });
  const died = exited.then(({ code, signal }) => {
    throw new Error(`alma server ${name} exited (code ${code}, signal ${signal}) before it was ready; ${describe()}`);
  });
  try {
    const port = await Promise.race([listening, timedOut, died]);
    await Promise.race([waitUntilOk(`http://127.0.0.1:${port}/health`, 100, polling.signal), timedOut, died]);
    return { name, child, port, address: `127.0.0.1:${port}`, logs, exited };
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  } finally {
    polling.abort();
    clearTimeout(timer);
    // `died` rejects whenever the process exits later, which is expected once it runs
    died.catch(() => undefined);
  }
}

/** Polls a URL until it answers 2xx, or until `signal` aborts (the caller races it against its own deadline). */
export async function waitUntilOk(url: string, everyMs: number, signal?: AbortSignal): Promise<void> {
  while (!signal?.aborted) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(5000) })
      .then((res) => res.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Ends a process: SIGTERM (a clean stop), then SIGKILL if it has not exited after `graceMs`. */
export async function stopProcess(child: ChildProcess, exited: Promise<unknown>, graceMs = 8_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
