// Runs `next start` or `next dev` on the interface HOST names, as the alma server does: HOST from the environment,
// else from the repo's .env (the file the server reads), else 127.0.0.1, which keeps alma private to this machine;
// and on the port ALMA_WEB_PORT names (found the same way; default 3000), the port the server's default
// ALMA_ALLOWED_ORIGINS follows. Plain Node, no dependencies: `node lib/next-listen.mjs start` (the package's start
// and dev scripts).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

export const DEFAULT_HOST = "127.0.0.1";
/** the repo's .env, beside .env.example (apps/web/lib → the root) */
export function repoEnvFile() {
  return fileURLToPath(new URL("../../../.env", import.meta.url));
}

/** A setting's value in a .env file's text (the last assignment wins, as in the shell), or null when it has none. */
export function settingFromEnvFile(text, name) {
  let found = null;
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m || m[1] !== name) continue;
    let value = m[2].trim();
    const quoted = /^(["'])(.*)\1/.exec(value);
    value = quoted ? quoted[2] : value.replace(/\s+#.*$/, "").trim();
    found = value;
  }
  return found;
}

/** HOST's value in a .env file's text, or null when it has none. */
export function hostFromEnvFile(text) {
  return settingFromEnvFile(text, "HOST");
}

/** Where the web app listens: a non-empty HOST in the environment, else the .env file's, else 127.0.0.1. */
export function listenHost(env, envFileText) {
  const fromEnv = env.HOST?.trim();
  if (fromEnv) return fromEnv;
  const fromFile = envFileText === null ? null : hostFromEnvFile(envFileText)?.trim();
  return fromFile || DEFAULT_HOST;
}

export const DEFAULT_WEB_PORT = "3000";

/**
 * Where the web app's port is: a non-empty ALMA_WEB_PORT in the environment, else the .env file's, else 3000.
 * A value that is not a port (1 to 65535) throws, naming the setting, as the server does for it.
 */
export function listenPort(env, envFileText) {
  const fromEnv = env.ALMA_WEB_PORT?.trim();
  const raw = fromEnv || (envFileText === null ? null : settingFromEnvFile(envFileText, "ALMA_WEB_PORT")?.trim()) || DEFAULT_WEB_PORT;
  const port = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(port >= 1 && port <= 65_535)) throw new Error(`ALMA_WEB_PORT: expected a port number from 1 to 65535, such as 3000 (got "${raw}")`);
  return String(port);
}

/** next's arguments: the command, then --hostname and --port unless the caller gave them, then the rest as given. */
export function nextArgs(command, host, rest, port = DEFAULT_WEB_PORT) {
  const named = rest.some((a) => a === "-H" || a === "--hostname" || a.startsWith("--hostname="));
  const ported = rest.some((a) => a === "-p" || a === "--port" || a.startsWith("--port="));
  return [command, ...(named ? [] : ["--hostname", host]), ...(ported ? [] : ["--port", port]), ...rest];
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== "start" && command !== "dev") {
    console.error("usage: node lib/next-listen.mjs start|dev [next options]");
    process.exit(2);
  }
  const envFile = repoEnvFile();
  const envFileText = existsSync(envFile) ? readFileSync(envFile, "utf8") : null;
  const host = listenHost(process.env, envFileText);
  let port;
  try {
    port = listenPort(process.env, envFileText);
  } catch (err) {
    console.error(`${err.message}\nFix it in the environment or the repo's .env (see .env.example) and start again.`);
    process.exit(2);
  }
  const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
  // next reads its arguments from process.argv; running its CLI in this process keeps signals and the exit code its own
  process.argv = [process.argv[0], nextBin, ...nextArgs(command, host, rest, port)];
  await import(pathToFileURL(nextBin).href);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
