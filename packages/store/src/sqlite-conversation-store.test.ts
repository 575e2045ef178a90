import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { migrate, migrations } from "./migrations.js";
import { SqliteConversationStore } from "./sqlite-conversation-store.js";
import { describeConversationStoreContract, metrics } from "./conversation-store.contract.js";

const stores: SqliteConversationStore[] = [];
function memory(opts: { now?: () => number; undoWindowMs?: number } = {}) {
  const s = new SqliteConversationStore({ path: ":memory:", ...opts });
  stores.push(s);
  return s;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

describeConversationStoreContract("SqliteConversationStore", async (options = {}) => new SqliteConversationStore({ path: ":memory:", ...options }));

describe("SqliteConversationStore", () => {
  it("sets WAL-capable pragmas and records the migrations", async () => {
    const s = memory();
    expect(s.db.pragma("synchronous", { simple: true })).toBe(1); // NORMAL
    const versions = s.db.prepare("SELECT version FROM schema_migrations").all();
    expect(versions).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
  });

  describe("on a file", () => {
    let dir: string;
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("creates folders, uses WAL, and keeps everything across a restart", async () => {
      dir = mkdtempSync(join(tmpdir(), "alma-store-"));
      const path = join(dir, "nested", "data", "alma.db");
      const s1 = new SqliteConversationStore({ path });
      expect(s1.db.pragma("journal_mode", { simple: true })).toBe("wal");
      const c = await s1.createConversation("");
      await s1.addUserMessage({ conversationId: c.id, clientMessageId: "u", content: "persist me" });
      const a = await s1.addAssistantMessage({ conversationId: c.id, runId: "r", taskType: null });
      await s1.updateAssistantMessage(a.id, { content: "answer", status: "complete", finishReason: "stop", metrics });
      await s1.pinFact({ conversationId: c.id, text: "fact", messageId: null });
      await s1.close();
      expect(existsSync(path)).toBe(true);

      const s2 = new SqliteConversationStore({ path });
      stores.push(s2);
      expect((await s2.getConversation(c.id))?.title).toBe("persist me");
      expect((await s2.listMessages(c.id)).map((m) => [m.role, m.content, m.status])).toEqual([
        ["user", "persist me", "complete"],
        ["assistant", "answer", "complete"],
      ]);
      expect((await s2.getMessage(a.id))?.metrics).toEqual(metrics);
      expect(await s2.listPinnedFacts(c.id)).toHaveLength(1);
      expect(s2.db.prepare("SELECT COUNT(*) AS n FROM schema_migrations").get()).toEqual({ n: 3 });
    });

    it("upgrades a database made before attachments, keeping its conversations, and keeps attachments across a restart", async () => {
      dir = mkdtempSync(join(tmpdir(), "alma-store-"));
      const path = join(dir, "old.db");
      const old = new Database(path);
      expect(migrate(old, migrations.slice(0, 2))).toEqual([1, 2]);
      old.prepare("INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c1', 'before', 1, 1)").run();
      old.close();

      const s1 = new SqliteConversationStore({ path });
      expect((await s1.getConversation("c1"))?.title).toBe("before");
      const a = await s1.addAttachment({
        conversationId: "c1",
        name: "a.pdf",
        kind: "pdf",
        mediaType: "application/pdf",
        bytes: 9,
        text: "p1\n\np2",
        pages: [
          { number: 1, start: 0, end: 2 },
          { number: 2, start: 4, end: 6 },
        ],
        tokens: 2,
      });
      const { message } = await s1.addUserMessage({ conversationId: "c1", clientMessageId: "u", content: "read it", attachmentIds: [a.id] });
      await s1.close();

      const s2 = new SqliteConversationStore({ path });
      stores.push(s2);
      expect((await s2.listMessages("c1"))[0]?.attachments).toEqual([{ ...a, messageId: message.id }]);
      expect(await s2.listDocuments("c1")).toEqual([
        {
          id: a.id,
          name: "a.pdf",
          kind: "pdf",
          text: "p1\n\np2",
          pages: [
            { number: 1, start: 0, end: 2 },
            { number: 2, start: 4, end: 6 },
          ],
          messageId: message.id,
        },
      ]);
    });

    it("keeps a model's speed estimate across restarts, one row per model, the newest winning", async () => {
      const path = join(dir, "speed.db");
      const s1 = new SqliteConversationStore({ path });
      expect(await s1.loadModelSpeed("openai:http://127.0.0.1:1/v1:m")).toBeNull();
      await s1.saveModelSpeed("openai:http://127.0.0.1:1/v1:m", { ttftMs: 800, tokensPerSecond: 12, samples: 1, updatedAt: 1 });
      await s1.saveModelSpeed("openai:http://127.0.0.1:1/v1:m", { ttftMs: 600, tokensPerSecond: 14.5, samples: 2, updatedAt: 2 });
      await s1.saveModelSpeed("local:other.gguf", { ttftMs: 90, tokensPerSecond: 900, samples: 1, updatedAt: 3 });
      await s1.close();
      const s2 = new SqliteConversationStore({ path });
      stores.push(s2);
      expect(await s2.loadModelSpeed("openai:http://127.0.0.1:1/v1:m")).toEqual({ ttftMs: 600, tokensPerSecond: 14.5, samples: 2, updatedAt: 2 });
      expect((await s2.loadModelSpeed("local:other.gguf"))?.tokensPerSecond).toBe(900);
    });
  });
});
