import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * The maintenance database tests create theirs from: ALMA_TEST_DATABASE_URL, else PGHOST/PGPORT/PGUSER, else the
 * development and CI machines' PostgreSQL (postgres://postgres@127.0.0.1:5432/postgres).
 */
export function testMaintenanceUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ALMA_TEST_DATABASE_URL) return env.ALMA_TEST_DATABASE_URL;
  const host = env.PGHOST ?? "127.0.0.1";
  return `postgres://${encodeURIComponent(env.PGUSER ?? "postgres")}@${host}:${env.PGPORT ?? "5432"}/postgres`;
}

export interface TestDatabase {
  /** the fresh database's URL */
  url: string;
  name: string;
  /** drops it, whoever is still connected */
  drop(): Promise<void>;
}

/** A fresh, empty database (alma_test_<random>) for one test file, dropped by `drop()`. */
export async function createTestDatabase(maintenanceUrl = testMaintenanceUrl()): Promise<TestDatabase> {
  const name = `alma_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: maintenanceUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(maintenanceUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const client = new pg.Client({ connectionString: maintenanceUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
