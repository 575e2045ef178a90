import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresPool } from "./postgres-pool.js";
import { createTestDatabase, type TestDatabase } from "./postgres-test-database.js";

describe("openPostgresPool", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("lets a query wait for a busy pool longer than the connect timeout (a thousand answers starting at once queue)", async () => {
    const pool = await openPostgresPool({ url: db.url, max: 1, connectTimeoutMs: 200 });
    try {
      const held = await pool.connect();
      const waiting = pool.query("SELECT 1 AS one");
      // the only connection is busy for more than the connect timeout; the queued query must still get it
      await new Promise((r) => setTimeout(r, 600));
      held.release();
      await expect(waiting).resolves.toMatchObject({ rows: [{ one: 1 }] });
    } finally {
      await pool.end();
    }
  });

  it("still tells an unreachable server within the connect timeout", async () => {
    await expect(openPostgresPool({ url: "postgres://postgres@127.0.0.1:1/alma", connectTimeoutMs: 500 })).rejects.toThrow(/cannot reach PostgreSQL/);
  });
});
