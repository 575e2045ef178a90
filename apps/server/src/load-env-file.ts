import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";

/** The repo's `.env` (beside `.env.example`); variables already set in the environment win. */
export const REPO_ENV_FILE = fileURLToPath(new URL("../../../.env", import.meta.url));

export function loadEnvFile(path: string = REPO_ENV_FILE, env: NodeJS.ProcessEnv = process.env): string[] {
  if (!existsSync(path)) return [];
  const applied: string[] = [];
  for (const [key, value] of Object.entries(parseEnv(readFileSync(path, "utf8")))) {
    if (env[key] === undefined && value !== undefined) {
      env[key] = value;
      applied.push(key);
    }
  }
  return applied;
}
