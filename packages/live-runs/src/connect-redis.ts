import { Redis } from "ioredis";
import { parseRedisUrl, type RedisSettings } from "./parse-redis-url.js";
import { RedisUnreachableError } from "./redis-unreachable-error.js";

export interface ConnectRedisOptions {
  /** how long the first connection may take before start fails */
  connectTimeoutMs?: number;
  /** shown in CLIENT LIST, to tell alma's connections apart */
  connectionName?: string;
  /** the setting the URL came from, named in errors */
  settingName?: string;
}

/**
 * Connects and waits until Redis answers, or throws RedisUnreachableError at once: a server that cannot reach its
 * Redis must not start and then fail every request. After the first connection, ioredis reconnects with backoff.
 */
export async function connectRedis(url: string | RedisSettings, options: ConnectRedisOptions = {}): Promise<Redis> {
  const settings = typeof url === "string" ? parseRedisUrl(url, options.settingName) : url;
  let connected = false;
  const redis = new Redis({
    host: settings.host,
    port: settings.port,
    db: settings.db,
    ...(settings.username ? { username: settings.username } : {}),
    ...(settings.password ? { password: settings.password } : {}),
    ...(settings.tls ? { tls: { servername: settings.host } } : {}),
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 2_000,
    // RESP2: the reply shapes (XREAD's nested arrays) are the ones every Redis and proxy gives
    protocol: 2,
    // no retries until the first connection worked; then back off up to 2 s between attempts
    retryStrategy: (attempt) => (connected ? Math.min(100 * 2 ** attempt, 2_000) : null),
  });
  let lastError: Error | null = null;
  const remember = (err: Error) => {
    lastError = err;
  };
  redis.on("error", remember);
  const timeoutMs = options.connectTimeoutMs ?? 2_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    // connectTimeout covers the TCP connect only; a server that accepts and never answers is caught here
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([redis.connect().then(() => redis.ping()), deadline]);
  } catch (err) {
    redis.disconnect();
    const reason = (err as Error).message.startsWith("no answer within") ? (err as Error).message : describeConnectError(lastError ?? (err as Error));
    throw new RedisUnreachableError(settings.displayUrl, reason, options.settingName);
  } finally {
    clearTimeout(timer);
  }
  connected = true;
  return redis;
}

function describeConnectError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code) return code;
  if (/timeout/i.test(err.message)) return "ETIMEDOUT";
  return err.message;
}
