#!/usr/bin/env node
// The one command a new user runs (`npm start`): installs what is missing, builds the server and the web app when
// their builds are missing or stale, then starts both. Plain Node (no dependencies), so it works before install.
//
// The server and the web app run as `node` processes of their own, not through pnpm: Ctrl-C reaches each of them
// directly (the terminal signals the whole process group), each stops gracefully (the server lets running answers
// finish), and a graceful stop is reported as one, never as pnpm's "ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL ... SIGTERM".
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const serverDir = path.join(root, "apps/server");
const webDir = path.join(root, "apps/web");
const dev = process.argv.includes("--dev");
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", TURBO_TELEMETRY_DISABLED: "1" };
env.npm_config_nodedir ??= existsSync("/usr/include/node/node.h") ? "/usr" : undefined;
if (!env.npm_config_nodedir) delete env.npm_config_nodedir;
env.LOG_FORMAT ??= "pretty"; // a person is reading these logs

function hasPnpm() {
  const r = spawnSync("pnpm", ["--version"], { encoding: "utf8", shell: process.platform === "win32" });
  return r.status === 0 && r.stdout.trim().startsWith("10.");
}
const pnpm = hasPnpm() ? ["pnpm"] : ["npx", "-y", "pnpm@10.34.9"];

function run(args, label) {
  console.log(`\n› ${label}`);
  const r = spawnSync(pnpm[0], [...pnpm.slice(1), ...args], { cwd: root, stdio: "inherit", env, shell: process.platform === "win32" });
  if (r.status !== 0) {
    console.error(`\n✗ ${label} failed (exit ${r.status}). Fix the error above and run \`npm start\` again.`);
    process.exit(r.status ?? 1);
  }
}

const lock = path.join(root, "pnpm-lock.yaml");
const marker = path.join(root, "node_modules", ".modules.yaml");
if (!existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs) run(["install", "--frozen-lockfile"], "Installing dependencies");

/** the repo's .env (the file the server reads itself): KEY=value lines, quotes and trailing comments dropped */
function readEnvFile() {
  const file = path.join(root, ".env");
  const values = {};
  if (!existsSync(file)) return values;
  for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const quoted = /^(["'])(.*)\1/.exec(m[2].trim());
    values[m[1]] = quoted ? quoted[2] : m[2].replace(/\s+#.*$/, "").trim();
  }
  return values;
}
const dotenv = readEnvFile();
const setting = (name) => env[name]?.trim() || dotenv[name]?.trim() || "";

// both processes listen where HOST says (the environment, else .env, else 127.0.0.1): the server reads it, the web
// app is told it (next's --hostname)
const host = setting("HOST") || "127.0.0.1";
// the web app's port: ALMA_WEB_PORT (the environment, else .env, else 3000), handed to next as --port and to the
// server as is, whose default ALMA_ALLOWED_ORIGINS follows it
const webPort = setting("ALMA_WEB_PORT") || "3000";
if (!/^\d+$/.test(webPort) || Number(webPort) < 1 || Number(webPort) > 65_535) {
  console.error(`\n✗ ALMA_WEB_PORT: expected a port number from 1 to 65535, such as 3000 (got "${webPort}"). Fix it and run \`npm start\` again.`);
  process.exit(1);
}
env.ALMA_WEB_PORT = String(Number(webPort));
// the web app is told where the browser finds the server: ALMA_SERVER_URL as set, else from HOST and PORT when they
// move it from the web app's default (ws://127.0.0.1:8787/ws)
const webEnv = { ...env, HOST: host };
const serverUrl = setting("ALMA_SERVER_URL") || setting("NEXT_PUBLIC_ALMA_SERVER_URL");
if (serverUrl) webEnv.ALMA_SERVER_URL = serverUrl;
else {
  const port = setting("PORT") || "8787";
  const reach = ["0.0.0.0", "::", "localhost"].includes(host) ? "127.0.0.1" : host;
  if (port !== "8787" || reach !== "127.0.0.1") webEnv.ALMA_SERVER_URL = `ws://${reach.includes(":") ? `[${reach}]` : reach}:${port}/ws`;
}

const requireFrom = (dir) => createRequire(path.join(dir, "package.json"));
let server;
if (dev) {
  server = [requireFrom(serverDir).resolve("tsx/cli"), "watch", "src/main.ts"];
} else {
  const build = await import(pathToFileURL(path.join(serverDir, "scripts/server-build.mjs")).href);
  if (build.buildIsStale()) {
    console.log("\n› Building the server");
    const status = build.buildServer({ quiet: true });
    if (status !== 0) {
      console.error(`\n✗ Building the server failed (exit ${status}). Fix the error above and run \`npm start\` again.`);
      process.exit(status);
    }
  }
  server = [build.DIST_MAIN];
}
if (!dev && !existsSync(path.join(webDir, ".next/BUILD_ID"))) run(["--filter", "@alma/web", "build"], "Building the web app (first start only)");
// the web app's own launcher (lib/next-listen.mjs) when it has one, else next's CLI, told where to listen either way
const nextListen = path.join(webDir, "lib/next-listen.mjs");
const web = [
  ...(existsSync(nextListen) ? [nextListen] : [requireFrom(webDir).resolve("next/dist/bin/next")]),
  dev ? "dev" : "start",
  ...(dev ? ["--webpack"] : []),
  "--hostname",
  host,
  "--port",
  env.ALMA_WEB_PORT,
];

const children = [];
let stopping = false;
let exitCode = 0;

function start(name, args, cwd, color, childEnv) {
  const child = spawn(process.execPath, args, { cwd, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  const prefix = `\x1b[${color}m${name.padEnd(6)}\x1b[0m│ `;
  for (const stream of [child.stdout, child.stderr]) {
    let rest = "";
    stream.on("data", (buf) => {
      const lines = (rest + buf.toString()).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) process.stdout.write(`${prefix + line}\n`);
    });
  }
  child.on("exit", (code, signal) => {
    // while stopping, ending by the stop's signal (or its conventional exit code) is the clean end it was asked for
    const asked = stopping && (code === 0 || signal === "SIGINT" || signal === "SIGTERM" || code === 130 || code === 143);
    if (asked) console.log(`${prefix}stopped`);
    else if (code === 0) console.log(`${prefix}exited`);
    else console.log(`${prefix}exited with ${signal ?? `code ${code}`}`);
    if (!asked && code !== 0) exitCode ||= code ?? 1;
    shutdown();
  });
  children.push(child);
}

function shutdown() {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  // the server lets running answers finish for ALMA_SHUTDOWN_DEADLINE_MS: wait for it, and a little longer, not less
  const deadline = Number(process.env.ALMA_SHUTDOWN_DEADLINE_MS ?? 10_000);
  setTimeout(() => process.exit(exitCode || 1), (Number.isFinite(deadline) ? deadline : 10_000) + 5_000).unref();
  const exitWhenDone = () => {
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
  };
  for (const c of children) c.once("exit", exitWhenDone);
  exitWhenDone();
}
// Ctrl-C: the terminal has signalled the children too; a second Ctrl-C reaches the server as "stop the answers now"
process.on("SIGINT", () => shutdown());
process.on("SIGTERM", () => shutdown());

start("server", server, serverDir, "36", env);
start("web", web, webDir, "35", webEnv);
const shown = ["127.0.0.1", "0.0.0.0", "::", "localhost"].includes(host) ? "localhost" : host.includes(":") ? `[${host}]` : host;
setTimeout(() => console.log(`\n  alma is starting: open http://${shown}:${env.ALMA_WEB_PORT}  (Ctrl-C stops both)\n`), 1500);
