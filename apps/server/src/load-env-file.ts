import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
import { isRemoteModel } from "@alma/llm";

/** The repo's `.env` (beside `.env.example`); variables already set in the environment win. */
export const REPO_ENV_FILE = fileURLToPath(new URL("../../../.env", import.meta.url));

/**
 * Settings that name a model file or folder: written in the `.env`, a relative one means relative to that file.
 * ALMA_DB_PATH is not one of them: it has always been relative to the server's folder, where existing data lives.
 */
const PATH_SETTINGS = ["ALMA_MODEL", "ALMA_MODEL_CACHE_DIR"] as const;

/** a value that names a file on this machine, relative to somewhere (not a model URI) */
function isRelativePath(key: (typeof PATH_SETTINGS)[number], value: string): boolean {
  if (isAbsolute(value)) return false;
  if (key === "ALMA_MODEL") return !isRemoteModel(value) && (/[\\/]/.test(value) || value.toLowerCase().endsWith(".gguf"));
  return true;
}

export function loadEnvFile(path: string = REPO_ENV_FILE, env: NodeJS.ProcessEnv = process.env): string[] {
  if (!existsSync(path)) return [];
  const applied: string[] = [];
  for (const [key, value] of Object.entries(parseEnv(readFileSync(path, "utf8")))) {
    if (env[key] === undefined && value !== undefined) {
      // the server runs from apps/server, but the file is at the repo root: its paths mean what they say there
      const setting = PATH_SETTINGS.find((k) => k === key);
      env[key] = setting && value !== "" && isRelativePath(setting, value) ? resolve(dirname(path), value) : value;
      applied.push(key);
    }
  }
  return applied;
}
