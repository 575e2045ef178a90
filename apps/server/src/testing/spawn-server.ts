import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const SERVER_DIR = fileURLToPath(new URL("../..", import.meta.url));
const LISTENING = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/;

export interface SpawnedServer {
  child: ChildProcess;
  url: string;
  /** everything the process wrote so far, stdout and stderr interleaved */
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `src/main.ts` in its own process (as `pnpm start:server` does) and resolves once it logged that it
 * listens and its /health answers. Start-up compiles TypeScript on the fly, which can take many seconds on
 * a busy machine, so the wait is generous and ends early only when the process exits.
 */
export async function spawnServer(env: Record<string, string>, timeoutMs = 120_000): Promise<SpawnedServer> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: SERVER_DIR,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const started = Date.now();
  const describe = () => `after ${Date.now() - started} ms; its output:\n${logs.join("")}`;

  let stdout = "";
  const listening = new Promise<string>((resolve) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      logs.push(text);
      stdout += text;
      const m = LISTENING.exec(stdout);
      if (m) resolve(m[1]!);
    });
  });
  child.stderr!.on("data", (chunk: Buffer) => logs.push(chunk.toString()));

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the server did not start within ${timeoutMs} ms (${describe()})`)), timeoutMs);
  });
  const died = exited.then(({ code, signal }) => {
    throw new Error(`the server exited (code ${code}, signal ${signal}) before it was ready (${describe()})`);
  });
  const polling = { stopped: false };
  try {
    const url = await Promise.race([listening, timedOut, died]);
    await Promise.race([waitHealthy(url, polling), timedOut, died]);
    return { child, url, logs, exited };
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  } finally {
    polling.stopped = true;
    clearTimeout(timer);
    // `died` rejects whenever the child exits later; that is expected once it is running
    died.catch(() => undefined);
  }
}

/** polls /health until it answers 200, or until told to stop */
async function waitHealthy(url: string, polling: { stopped: boolean }): Promise<void> {
  while (!polling.stopped) {
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) })
      .then((res) => res.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
