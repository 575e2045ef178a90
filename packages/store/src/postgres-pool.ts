import pg from "pg";
import { describePostgresError } from "./database-unavailable-error.js";

export interface PostgresPoolOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** connections at most; default 10 */
  max?: number;
  /** the first connection (is the server there at all?) must be made within this; default 5 s */
  connectTimeoutMs?: number;
  /**
   * how long a query may wait for one of the pool's connections; default 60 s. pg counts the queue's wait in its
   * connect timeout, and a thousand answers starting at once queue far longer than a connection takes to open.
   */
  waitTimeoutMs?: number;
  /** an idle connection that broke (the server restarted): reported here instead of crashing the process */
  onError?: (err: Error) => void;
}

// BIGINT (int8) columns hold epoch milliseconds and counts: numbers, not strings, within 2^53
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

/**
 * A connection pool to PostgreSQL, checked once before it is handed out: a server that cannot be reached, a database
 * that does not exist or a refused login is a DatabaseUnavailableError that says how to fix it.
 */
export async function openPostgresPool(options: PostgresPoolOptions): Promise<pg.Pool> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: options.waitTimeoutMs ?? 60_000,
    application_name: "alma",
    types,
  });
  pool.on("error", (err) => options.onError?.(err));
  // checked on a connection of its own, so an unreachable server is told within the short connect timeout
  const probe = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000, application_name: "alma" });
  try {
    await probe.connect();
    await probe.query("SELECT 1");
  } catch (err) {
    await pool.end().catch(() => {});
    throw describePostgresError(err, options.url);
  } finally {
    await probe.end().catch(() => {});
  }
  return pool;
}

/** runs `work` in one transaction on one connection: committed when it resolves, rolled back when it throws */
export async function inTransaction<T>(pool: pg.Pool, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
