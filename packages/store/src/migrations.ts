import type Database from "better-sqlite3";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Append-only: a released migration is never edited, a change is a new version. */
export const migrations: Migration[] = [
  {
    version: 1,
    name: "conversations, messages, pinned facts",
    sql: `
      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        summary TEXT,
        summarized_count INTEGER NOT NULL DEFAULT 0,
        deleted_at INTEGER
      );
      CREATE INDEX conversations_updated ON conversations (deleted_at, updated_at DESC);

      CREATE TABLE messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
        content TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        client_message_id TEXT,
        run_id TEXT,
        task_type TEXT,
        pinned INTEGER NOT NULL DEFAULT 0,
        steps TEXT,
        finish_reason TEXT,
        usage TEXT,
        metrics TEXT,
        error TEXT,
        UNIQUE (conversation_id, client_message_id)
      );
      CREATE INDEX messages_conversation ON messages (conversation_id, seq);
      CREATE INDEX messages_client_id ON messages (client_message_id);
      CREATE INDEX messages_status ON messages (status);

      CREATE TABLE pinned_facts (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        message_id TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX pinned_facts_conversation ON pinned_facts (conversation_id, created_at);
    `,
  },
  {
    version: 2,
    name: "model speed estimates",
    sql: `
      CREATE TABLE model_speeds (
        model_key TEXT PRIMARY KEY,
        ttft_ms REAL NOT NULL,
        tokens_per_second REAL NOT NULL,
        samples INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: "attachments",
    // message_id cascades: a message removed by an edit or a regenerate takes its files with it (an edit moves the
    // edited message's own files to its replacement first); unsent files (message_id NULL) stay in the composer
    sql: `
      CREATE TABLE attachments (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        message_id TEXT REFERENCES messages (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('text', 'markdown', 'csv', 'json', 'pdf')),
        media_type TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        text TEXT NOT NULL,
        pages_json TEXT,
        chars INTEGER NOT NULL,
        tokens INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX attachments_conversation ON attachments (conversation_id, seq);
      CREATE INDEX attachments_message ON attachments (message_id);
    `,
  },
];

/** Applies every migration newer than the database's version, each in its own transaction. */
export function migrate(db: Database.Database, list: Migration[] = migrations): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const applied = new Set((db.prepare("SELECT version FROM schema_migrations").all() as Array<{ version: number }>).map((r) => r.version));
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  const done: number[] = [];
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    })();
    done.push(m.version);
  }
  return done;
}
