import { loadConfig, type AppConfig } from "../config.js";

/** A config for tests: in-memory database, quiet logs, short timers; env-style overrides. */
export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    ALMA_DB_PATH: ":memory:",
    LOG_LEVEL: "silent",
    ALMA_PROVIDER: "scripted",
    ALMA_SHUTDOWN_DEADLINE_MS: "2000",
    ALMA_RESUME_GRACE_MS: "2000",
    ALMA_MESSAGES_PER_MINUTE: "1000",
    ...env,
  });
}
