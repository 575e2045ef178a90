import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const c = loadConfig({}, "/srv/alma");
    expect(c).toMatchObject({
      host: "127.0.0.1",
      port: 8787,
      provider: "local",
      openai: { model: "gpt-4o-mini", apiKey: null },
      local: { threads: 1 },
      dbPath: "/srv/alma/data/alma.db",
      allowedOrigins: ["http://localhost:3000", "http://127.0.0.1:3000"],
      authToken: null,
      maxFrameBytes: 1024 * 1024,
      runDeadlineMs: 60_000,
    });
  });

  it("reads the attachment limits: 10 MB a file, 20 files and 50 MB a conversation by default, the total never below one file", () => {
    expect(loadConfig({}).attachments).toEqual({ maxBytes: 10 * 1024 * 1024, maxCount: 20, maxTotalBytes: 50 * 1024 * 1024 });
    expect(
      loadConfig({ ALMA_ATTACHMENT_MAX_BYTES: "2048", ALMA_ATTACHMENTS_PER_CONVERSATION: "3", ALMA_ATTACHMENTS_MAX_TOTAL_BYTES: "4096" }).attachments,
    ).toEqual({
      maxBytes: 2048,
      maxCount: 3,
      maxTotalBytes: 4096,
    });
    expect(loadConfig({ ALMA_ATTACHMENT_MAX_BYTES: String(100 * 1024 * 1024) }).attachments.maxTotalBytes).toBe(100 * 1024 * 1024);
    expect(() => loadConfig({ ALMA_ATTACHMENTS_PER_CONVERSATION: "0" })).toThrow(/ALMA_ATTACHMENTS_PER_CONVERSATION: .*\(got "0"\)/);
    expect(() => loadConfig({ ALMA_ATTACHMENT_MAX_BYTES: "ten megabytes" })).toThrow(/ALMA_ATTACHMENT_MAX_BYTES/);
  });

  it("reads ALMA_DATABASE_URL (unset: SQLite at ALMA_DB_PATH) and refuses one that is not a PostgreSQL URL, without echoing it", () => {
    expect(loadConfig({}).databaseUrl).toBeNull();
    expect(loadConfig({ ALMA_DATABASE_URL: "" }).databaseUrl).toBeNull();
    expect(loadConfig({ ALMA_DATABASE_URL: "postgres://alma:pw@db.internal:5432/alma" }).databaseUrl).toBe("postgres://alma:pw@db.internal:5432/alma");
    expect(loadConfig({ ALMA_DATABASE_URL: "postgresql://127.0.0.1/alma" }).databaseUrl).toBe("postgresql://127.0.0.1/alma");
    for (const bad of ["mysql://root:hunter2@127.0.0.1/alma", "127.0.0.1:5432/alma", "postgres://"]) {
      try {
        loadConfig({ ALMA_DATABASE_URL: bad });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).message).toContain("ALMA_DATABASE_URL: is not a PostgreSQL URL; expected postgres://");
        expect((e as ConfigError).message).not.toContain("hunter2");
      }
    }
  });

  it("reads ALMA_REDIS_URL (unset: in-process), its prefix, the instance id and TTL, and refuses a URL that is not Redis's without echoing it", () => {
    const plain = loadConfig({});
    expect(plain.redis).toBeNull();
    expect(plain.instanceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(loadConfig({}).instanceId).not.toBe(plain.instanceId);
    expect(loadConfig({ ALMA_REDIS_URL: "redis://:pw@cache.internal:6380/2", ALMA_INSTANCE_ID: "alma-1" })).toMatchObject({
      redis: { url: "redis://:pw@cache.internal:6380/2", prefix: "alma:", instanceTtlMs: 10_000 },
      instanceId: "alma-1",
    });
    expect(loadConfig({ ALMA_REDIS_URL: "rediss://cache.internal", ALMA_REDIS_PREFIX: "alma-staging:", ALMA_INSTANCE_TTL_MS: "3000" }).redis).toEqual({
      url: "rediss://cache.internal",
      prefix: "alma-staging:",
      instanceTtlMs: 3000,
    });
    for (const bad of ["http://:hunter2@127.0.0.1:6379", "127.0.0.1:6379", "redis://"]) {
      try {
        loadConfig({ ALMA_REDIS_URL: bad });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).message).toContain("ALMA_REDIS_URL: is not a Redis URL; expected redis://");
        expect((e as ConfigError).message).not.toContain("hunter2");
      }
    }
    expect(() => loadConfig({ ALMA_INSTANCE_ID: "has spaces" })).toThrow(/ALMA_INSTANCE_ID: use 1 to 100 letters/);
    expect(() => loadConfig({ ALMA_REDIS_PREFIX: "a*" })).toThrow(/ALMA_REDIS_PREFIX/);
  });

  it("picks openai when a key or base URL is set, and honours an explicit provider", () => {
    expect(loadConfig({ OPENAI_API_KEY: "sk-x" }).provider).toBe("openai");
    expect(loadConfig({ OPENAI_BASE_URL: "http://127.0.0.1:11434/v1" }).provider).toBe("openai");
    expect(loadConfig({ OPENAI_API_KEY: "sk-x", ALMA_PROVIDER: "local" }).provider).toBe("local");
  });

  it("treats empty variables as unset and parses lists and numbers", () => {
    const c = loadConfig({ PORT: "", ALMA_ALLOWED_ORIGINS: "https://a.example/, http://b.example:8080", ALMA_THREADS: "4" });
    expect(c.port).toBe(8787);
    expect(c.allowedOrigins).toEqual(["https://a.example", "http://b.example:8080"]);
    expect(c.local.threads).toBe(4);
  });

  it("allows the web app's origins at ALMA_WEB_PORT by default (localhost and 127.0.0.1, and HOST's address when it names one)", () => {
    expect(loadConfig({ ALMA_WEB_PORT: "3100" }).allowedOrigins).toEqual(["http://localhost:3100", "http://127.0.0.1:3100"]);
    expect(loadConfig({ ALMA_WEB_PORT: " 8080 " }).allowedOrigins).toEqual(["http://localhost:8080", "http://127.0.0.1:8080"]);
    expect(loadConfig({ ALMA_WEB_PORT: "" }).allowedOrigins).toEqual(["http://localhost:3000", "http://127.0.0.1:3000"]);
    // any interface: the browser on this machine uses localhost or 127.0.0.1
    expect(loadConfig({ HOST: "0.0.0.0", ALMA_WEB_PORT: "3100" }).allowedOrigins).toEqual(["http://localhost:3100", "http://127.0.0.1:3100"]);
    // one interface: `npm start` says to open it there
    expect(loadConfig({ HOST: "192.168.1.20", ALMA_WEB_PORT: "3100" }).allowedOrigins).toEqual([
      "http://localhost:3100",
      "http://127.0.0.1:3100",
      "http://192.168.1.20:3100",
    ]);
    expect(loadConfig({ HOST: "::1" }).allowedOrigins).toEqual(["http://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:3000"]);
  });

  it("an explicit ALMA_ALLOWED_ORIGINS wins over the ALMA_WEB_PORT default", () => {
    expect(loadConfig({ ALMA_WEB_PORT: "3100", ALMA_ALLOWED_ORIGINS: "https://chat.example.org" }).allowedOrigins).toEqual(["https://chat.example.org"]);
    expect(loadConfig({ ALMA_WEB_PORT: "3100", ALMA_ALLOWED_ORIGINS: "" }).allowedOrigins).toEqual(["http://localhost:3100", "http://127.0.0.1:3100"]);
  });

  it("refuses an ALMA_WEB_PORT that is not a port number, saying what was expected and what it got", () => {
    for (const bad of ["web", "0", "65536", "3000.5", "0x10", "-1", "3000,3001"]) {
      try {
        loadConfig({ ALMA_WEB_PORT: bad });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).problems).toEqual([
          { setting: "ALMA_WEB_PORT", message: `expected a port number from 1 to 65535, such as 3000 (got "${bad}")` },
        ]);
      }
    }
  });

  it("reads the provider timeouts (ALMA_TTFT_TIMEOUT_MS, its earlier name, ALMA_IDLE_TIMEOUT_MS)", () => {
    expect(loadConfig({})).toMatchObject({ firstTokenTimeoutMs: 30_000, idleTimeoutMs: 20_000 });
    expect(loadConfig({ ALMA_TTFT_TIMEOUT_MS: "1500", ALMA_IDLE_TIMEOUT_MS: "700" })).toMatchObject({ firstTokenTimeoutMs: 1500, idleTimeoutMs: 700 });
    expect(loadConfig({ ALMA_FIRST_TOKEN_TIMEOUT_MS: "900" }).firstTokenTimeoutMs).toBe(900);
    expect(loadConfig({ ALMA_TTFT_TIMEOUT_MS: "1200", ALMA_FIRST_TOKEN_TIMEOUT_MS: "900" }).firstTokenTimeoutMs).toBe(1200);
    expect(() => loadConfig({ ALMA_IDLE_TIMEOUT_MS: "5" })).toThrow(/ALMA_IDLE_TIMEOUT_MS/);
  });

  it("names every bad setting and never echoes secrets", () => {
    try {
      loadConfig({ PORT: "eighty", ALMA_PROVIDER: "magic", ALMA_AUTH_TOKEN: "short-secret" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const err = e as ConfigError;
      expect(err.problems.map((p) => p.setting).sort()).toEqual(["ALMA_AUTH_TOKEN", "ALMA_PROVIDER", "PORT"]);
      expect(err.message).toContain("PORT");
      expect(err.message).toContain('"eighty"');
      expect(err.message).not.toContain("short-secret");
    }
  });
});
