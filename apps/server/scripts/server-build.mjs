// The server's production build (tsup → dist/), kept fresh: plain Node, no dependencies, so the root's
// scripts/start.mjs can use it before anything else runs. `node scripts/server-build.mjs` builds when stale.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const DIST_MAIN = path.join(SERVER_DIR, "dist", "main.js");
const ROOT = path.resolve(SERVER_DIR, "..", "..");

/** what the bundle is made of: the server's source, the workspace packages it compiles in, and its build settings */
const INPUTS = [
  path.join(SERVER_DIR, "src"),
  path.join(SERVER_DIR, "package.json"),
  path.join(SERVER_DIR, "tsup.config.ts"),
  ...["agent", "llm", "memory", "protocol", "store"].flatMap((p) => [path.join(ROOT, "packages", p, "src"), path.join(ROOT, "packages", p, "package.json")]),
];

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target, { withFileTypes: true })) {
    if (entry.name === "node_modules" || (entry.isFile() && /\.test\.tsx?$/.test(entry.name))) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

/** true when dist/main.js is missing or older than anything it is built from */
export function buildIsStale() {
  if (!existsSync(DIST_MAIN)) return true;
  const built = statSync(DIST_MAIN).mtimeMs;
  return INPUTS.some((input) => newestMtime(input) > built);
}

/** runs tsup (the server's `build` script) in this terminal; returns its exit status */
export function buildServer({ quiet = false } = {}) {
  const tsup = createRequire(path.join(SERVER_DIR, "package.json")).resolve("tsup/dist/cli-default.js");
  const r = spawnSync(process.execPath, [tsup, ...(quiet ? ["--silent"] : [])], { cwd: SERVER_DIR, stdio: "inherit" });
  return r.status ?? 1;
}

/** builds when stale; returns 0 when dist/main.js is ready */
export function ensureServerBuilt(opts) {
  return buildIsStale() ? buildServer(opts) : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(ensureServerBuilt());
