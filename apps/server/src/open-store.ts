import { PostgresConversationStore, SqliteConversationStore, type ConversationStore } from "@alma/store";
import type { AppConfig } from "./config.js";

/**
 * The conversations database the settings name: PostgreSQL at ALMA_DATABASE_URL (connected and migrated now; one that
 * cannot be used is a DatabaseUnavailableError saying how to fix it), else SQLite at ALMA_DB_PATH.
 */
export async function openStore(config: AppConfig, now: () => number, log: { error(obj: object, msg: string): void }): Promise<ConversationStore> {
  if (config.databaseUrl === null) return new SqliteConversationStore({ path: config.dbPath, undoWindowMs: config.undoWindowMs, now });
  return PostgresConversationStore.open({
    url: config.databaseUrl,
    undoWindowMs: config.undoWindowMs,
    now,
    // a pooled connection that broke while idle: the pool replaces it, the next query reconnects
    onError: (err) => log.error({ err }, "a PostgreSQL connection broke; the pool reconnects"),
  });
}
