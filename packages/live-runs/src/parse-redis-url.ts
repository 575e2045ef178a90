import { z } from "zod";

export interface RedisSettings {
  /** the URL as given */
  url: string;
  /** the URL without its password, for logs and errors */
  displayUrl: string;
  host: string;
  port: number;
  db: number;
  tls: boolean;
  username?: string;
  password?: string;
}

const redisUrlSchema = z
  .string()
  .trim()
  .min(1, "it is empty")
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "it is not a URL" });
      return z.NEVER;
    }
    if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
      ctx.addIssue({ code: "custom", message: `its scheme is "${url.protocol.replace(/:$/, "")}", not redis or rediss` });
      return z.NEVER;
    }
    const dbPart = url.pathname.replace(/^\//, "");
    const db = dbPart === "" ? 0 : Number(dbPart);
    if (!Number.isInteger(db) || db < 0) {
      ctx.addIssue({ code: "custom", message: `its database "${dbPart}" is not a number (redis://host:6379/0)` });
      return z.NEVER;
    }
    return url;
  });

/**
 * Reads ALMA_REDIS_URL (`redis://[user:password@]host[:port][/db]`, `rediss://` for TLS); throws an error that
 * says what is wrong and what a good value looks like.
 */
export function parseRedisUrl(value: string, settingName = "ALMA_REDIS_URL"): RedisSettings {
  const parsed = redisUrlSchema.safeParse(value);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => i.message).join("; ");
    throw new Error(`${settingName} "${redact(value)}" is not a Redis URL (${why}): use e.g. redis://127.0.0.1:6379, or unset ${settingName}`);
  }
  const url = parsed.data;
  const display = new URL(url.href);
  if (display.password) display.password = "***";
  const dbPart = url.pathname.replace(/^\//, "");
  return {
    url: value.trim(),
    displayUrl: display.href.replace(/\/$/, ""),
    host: url.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
    port: url.port ? Number(url.port) : 6379,
    db: dbPart === "" ? 0 : Number(dbPart),
    tls: url.protocol === "rediss:",
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}

/** hides a password in a value that may not even parse */
function redact(value: string): string {
  return value.replace(/\/\/([^:@/]*):([^@/]*)@/, "//$1:***@");
}
