import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";

/** The repo's `.env`, the file `npm start` and the server read: inside the repo the CLI finds the server where it listens. */
export const REPO_ENV_FILE = fileURLToPath(new URL("../../../.env", import.meta.url));

/** the settings that say where the server is, and its access token */
const SERVER_SETTINGS = ["ALMA_SERVER_URL", "HOST", "PORT", "ALMA_AUTH_TOKEN"] as const;

/**
 * The environment as the CLI reads it: the shell's, and for what the shell leaves unset, the repo `.env`'s server
 * settings. `ALMA_SERVER_URL` is derived from HOST and PORT when the file sets those and not it.
 */
export function withRepoEnv(env: NodeJS.ProcessEnv, path: string = REPO_ENV_FILE): NodeJS.ProcessEnv {
  if (!existsSync(path)) return env;
  const file = parseEnv(readFileSync(path, "utf8"));
  const merged: NodeJS.ProcessEnv = { ...env };
  for (const key of SERVER_SETTINGS) if (merged[key] === undefined && file[key]) merged[key] = file[key];
  if (merged.ALMA_SERVER_URL === undefined && (file.PORT || file.HOST)) {
    const host = merged.HOST ?? "127.0.0.1";
    // a server listening on every interface is reached on this machine at its loopback address
    const reach = ["0.0.0.0", "::", "localhost", ""].includes(host) ? "127.0.0.1" : host;
    merged.ALMA_SERVER_URL = `ws://${reach.includes(":") ? `[${reach}]` : reach}:${merged.PORT ?? "8787"}/ws`;
  }
  return merged;
}
