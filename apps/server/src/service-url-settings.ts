import { z } from "zod";

/** a URL setting whose scheme is one of `protocols` and that names a host; anything else gets `message` */
function serviceUrl(protocols: readonly string[], message: string) {
  return z.string().refine((raw) => {
    try {
      const url = new URL(raw);
      return protocols.includes(url.protocol) && url.hostname !== "";
    } catch {
      return false;
    }
  }, message);
}

/** ALMA_DATABASE_URL: conversations in PostgreSQL */
export const postgresUrlSetting = serviceUrl(
  ["postgres:", "postgresql:"],
  "is not a PostgreSQL URL; expected postgres://user:password@host:5432/database, or leave it unset to use SQLite at ALMA_DB_PATH",
);

/** ALMA_REDIS_URL: live runs, stops, conversation changes, the answer cache and the rate limits across instances */
export const redisUrlSetting = serviceUrl(
  ["redis:", "rediss:"],
  "is not a Redis URL; expected redis://[:password@]host:6379[/db] (rediss:// for TLS), or leave it unset to keep live runs in this process",
);
