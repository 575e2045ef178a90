import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

/**
 * The Redis a benchmark's alma children share: ALMA_BENCH_REDIS_URL (default the development machine's
 * redis://127.0.0.1:6379), a key prefix of its own so a run never touches another's keys, and the cleanup that
 * deletes them after. Spoken in plain RESP over node:net (PING, AUTH, SELECT, one EVAL): the harness needs no client
 * library for three commands. rediss:// (TLS) is not supported here; point ALMA_BENCH_REDIS_URL at a plain port.
 */
export interface BenchRedis {
  url: string;
  prefix: string;
  /** the settings an alma child needs to run on this Redis as instance `instanceId` */
  env(instanceId: string): Record<string, string>;
  /** deletes every key under the prefix; returns how many */
  cleanup(): Promise<number>;
}

export type BenchRedisOrSkip = { redis: BenchRedis; skipped: null } | { redis: null; skipped: string };

export const DEFAULT_BENCH_REDIS_URL = "redis://127.0.0.1:6379";

type Reply = string | number | null | Reply[] | Error;

/** Parses one RESP2 reply from `buf` at `at`; null when the buffer does not hold all of it yet. */
export function parseReply(buf: Buffer, at = 0): { value: Reply; end: number } | null {
  const lineEnd = buf.indexOf("\r\n", at);
  if (lineEnd === -1) return null;
  const kind = String.fromCharCode(buf[at]!);
  const line = buf.toString("utf8", at + 1, lineEnd);
  const next = lineEnd + 2;
  if (kind === "+") return { value: line, end: next };
  if (kind === "-") return { value: new Error(line), end: next };
  if (kind === ":") return { value: Number(line), end: next };
  if (kind === "$") {
    const length = Number(line);
    if (length < 0) return { value: null, end: next };
    if (buf.length < next + length + 2) return null;
    return { value: buf.toString("utf8", next, next + length), end: next + length + 2 };
  }
  if (kind === "*") {
    const count = Number(line);
    if (count < 0) return { value: null, end: next };
    const items: Reply[] = [];
    let end = next;
    for (let i = 0; i < count; i++) {
      const item = parseReply(buf, end);
      if (!item) return null;
      items.push(item.value);
      end = item.end;
    }
    return { value: items, end };
  }
  throw new Error(`unexpected RESP reply type ${JSON.stringify(kind)}`);
}

const encode = (args: readonly string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;

/** Sends `commands` on one connection (AUTH and SELECT from the URL first) and resolves with their replies. */
export async function send(url: string, commands: string[][], timeoutMs = 3000): Promise<Reply[]> {
  const u = new URL(url);
  if (u.protocol !== "redis:") throw new Error(`${u.protocol}// is not supported by the benchmark harness; use a redis:// URL`);
  const all: string[][] = [];
  if (u.password) all.push(u.username ? ["AUTH", decodeURIComponent(u.username), decodeURIComponent(u.password)] : ["AUTH", decodeURIComponent(u.password)]);
  const db = u.pathname.slice(1);
  if (db) all.push(["SELECT", db]);
  all.push(...commands);
  const socket: Socket = connect({ host: u.hostname, port: Number(u.port || 6379) });
  return new Promise<Reply[]>((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const replies: Reply[] = [];
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.once("error", fail);
    socket.once("connect", () => socket.write(all.map(encode).join("")));
    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (let parsed = parseReply(buf); parsed; parsed = parseReply(buf)) {
        buf = buf.subarray(parsed.end);
        if (parsed.value instanceof Error) return fail(parsed.value);
        replies.push(parsed.value);
      }
      if (replies.length === all.length) {
        clearTimeout(timer);
        socket.end();
        resolve(replies.slice(all.length - commands.length));
      }
    });
  });
}

// SCAN, not KEYS: the Redis may be a shared one; one script so the walk and the deletes are a single round trip
const DELETE_PREFIX = `local cursor, n = "0", 0
repeat
  local r = redis.call("SCAN", cursor, "MATCH", ARGV[1], "COUNT", 1000)
  cursor = r[1]
  for _, k in ipairs(r[2]) do n = n + redis.call("DEL", k) end
until cursor == "0"
return n`;

const escapeGlob = (s: string) => s.replace(/[*?[\]\\]/g, "\\$&");

/** The URL without its password, for messages. */
const shown = (url: string) => {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
};

/** Checks the benchmark Redis answers PING; a missing Redis is a reason to skip the Redis path, not a crash. */
export async function openBenchRedis(env: NodeJS.ProcessEnv = process.env): Promise<BenchRedisOrSkip> {
  const url = env.ALMA_BENCH_REDIS_URL || DEFAULT_BENCH_REDIS_URL;
  try {
    const [pong] = await send(url, [["PING"]]);
    if (pong !== "PONG") throw new Error(`PING answered ${JSON.stringify(pong)}`);
  } catch (error) {
    return { redis: null, skipped: `skipped: Redis not reachable at ${shown(url)} (${(error as Error).message}; set ALMA_BENCH_REDIS_URL)` };
  }
  const prefix = `alma-bench-${randomBytes(4).toString("hex")}:`;
  return {
    skipped: null,
    redis: {
      url,
      prefix,
      env: (instanceId) => ({ ALMA_REDIS_URL: url, ALMA_REDIS_PREFIX: prefix, ALMA_INSTANCE_ID: instanceId }),
      async cleanup() {
        const [n] = await send(url, [["EVAL", DELETE_PREFIX, "0", `${escapeGlob(prefix)}*`]], 30_000);
        return Number(n);
      },
    },
  };
}
