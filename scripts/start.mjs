#!/usr/bin/env node
// The one command a new user runs (`npm start`): installs what is missing, builds the web app once,
// then starts the server and the web app together. Plain Node (no dependencies), so it works before install.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
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
if (!dev && !existsSync(path.join(root, "apps/web/.next/BUILD_ID"))) run(["--filter", "@alma/web", "build"], "Building the web app (first start only)");

const children = [];
function start(name, args, color) {
  const child = spawn(pnpm[0], [...pnpm.slice(1), ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], shell: process.platform === "win32" });
  const prefix = `\x1b[${color}m${name.padEnd(6)}\x1b[0m│ `;
  for (const stream of [child.stdout, child.stderr]) {
    let rest = "";
    stream.on("data", (buf) => {
      const lines = (rest + buf.toString()).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) process.stdout.write(`${prefix + line}\n`);
    });
  }
  child.on("exit", (code) => {
    console.log(`${prefix}exited (${code ?? "signal"})`);
    shutdown(code ?? 0);
  });
  children.push(child);
}

let stopping = false;
function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  // the server lets running answers finish for ALMA_SHUTDOWN_DEADLINE_MS: wait for it, and a little longer, not less
  const deadline = Number(process.env.ALMA_SHUTDOWN_DEADLINE_MS ?? 10_000);
  setTimeout(() => process.exit(code), (Number.isFinite(deadline) ? deadline : 10_000) + 5_000).unref();
  const exitWhenDone = () => {
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(code);
  };
  for (const c of children) c.once("exit", exitWhenDone);
  exitWhenDone();
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

start("server", ["--filter", "@alma/server", dev ? "dev" : "start"], "36");
start("web", ["--filter", "@alma/web", dev ? "dev" : "start"], "35");
setTimeout(() => console.log("\n  alma is starting: open http://localhost:3000  (Ctrl-C stops both)\n"), 1500);
