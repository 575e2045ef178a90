// Runs `next start` or `next dev` on the interface HOST names, as the alma server does: HOST from the environment,
// else from the repo's .env (the file the server reads), else 127.0.0.1, which keeps alma private to this machine.
// Plain Node, no dependencies: `node lib/next-listen.mjs start --port 3000` (the package's start and dev scripts).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

export const DEFAULT_HOST = "127.0.0.1";
/** the repo's .env, beside .env.example (apps/web/lib → the root) */
export function repoEnvFile() {
  return fileURLToPath(new URL("../../../.env", import.meta.url));
}

/** HOST's value in a .env file's text (the last assignment wins, as in the shell), or null when it has none. */
export function hostFromEnvFile(text) {
  let host = null;
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?HOST\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[1].trim();
    const quoted = /^(["'])(.*)\1/.exec(value);
    value = quoted ? quoted[2] : value.replace(/\s+#.*$/, "").trim();
    host = value;
  }
  return host;
}

/** Where the web app listens: a non-empty HOST in the environment, else the .env file's, else 127.0.0.1. */
export function listenHost(env, envFileText) {
  const fromEnv = env.HOST?.trim();
  if (fromEnv) return fromEnv;
  const fromFile = envFileText === null ? null : hostFromEnvFile(envFileText)?.trim();
  return fromFile || DEFAULT_HOST;
}

/** next's arguments: the command, then --hostname unless the caller gave one, then the rest as given. */
export function nextArgs(command, host, rest) {
  const named = rest.some((a) => a === "-H" || a === "--hostname" || a.startsWith("--hostname="));
  return [command, ...(named ? [] : ["--hostname", host]), ...rest];
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== "start" && command !== "dev") {
    console.error("usage: node lib/next-listen.mjs start|dev [next options]");
    process.exit(2);
  }
  const envFile = repoEnvFile();
  const host = listenHost(process.env, existsSync(envFile) ? readFileSync(envFile, "utf8") : null);
  const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
  // next reads its arguments from process.argv; running its CLI in this process keeps signals and the exit code its own
  process.argv = [process.argv[0], nextBin, ...nextArgs(command, host, rest)];
  await import(pathToFileURL(nextBin).href);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
