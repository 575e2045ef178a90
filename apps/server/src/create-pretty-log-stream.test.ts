import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { buildApp } from "./build-app.js";
import { createPrettyLogStream } from "./create-pretty-log-stream.js";
import { testConfig } from "./testing/test-config.js";
import { ScriptedChatModel } from "@alma/llm";

describe("createPrettyLogStream", () => {
  it("turns the server's JSON log lines into readable text, secrets still redacted", async () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (b: Buffer) => (text += b.toString()));
    const app = await buildApp({
      config: testConfig({ LOG_LEVEL: "info" }),
      model: new ScriptedChatModel({ reply: () => "ok" }),
      logStream: createPrettyLogStream(out),
    });
    app.log.info({ apiKey: "sk-very-secret" }, "hello from the test");
    await app.close();
    expect(text).toMatch(/INFO.*hello from the test/);
    expect(text).not.toMatch(/^\{/m);
    expect(text).not.toContain("sk-very-secret");
  });

  it("logs each HTTP request as one line once answered (health checks and scrapes only at debug)", async () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (b: Buffer) => (text += b.toString()));
    const app = await buildApp({ config: testConfig({ LOG_LEVEL: "info" }), model: new ScriptedChatModel(), logStream: createPrettyLogStream(out) });
    await app.inject({ method: "GET", url: "/api/conversations" });
    await app.inject({ method: "GET", url: "/api/conversations/nope" });
    await app.inject({ method: "GET", url: "/health" });
    await app.close();
    const lines = text.split("\n").filter((l) => l.includes("/api/conversations") || l.includes("/health"));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/INFO.*GET \/api\/conversations 200 \d+\.\d ms$/);
    expect(lines[1]).toMatch(/INFO.*GET \/api\/conversations\/nope 404 \d+\.\d ms$/);
    expect(text).not.toContain("incoming request");
    expect(text).not.toContain("request completed");
    // nothing of a request's log continues on the next line
    expect(text).not.toMatch(/\n\s+(req|res|responseTime):/);
  });

  it("the JSON log has the request's method, URL, status and time as fields, in one entry", async () => {
    const entries: Array<Record<string, unknown>> = [];
    const app = await buildApp({
      config: testConfig({ LOG_LEVEL: "debug" }),
      model: new ScriptedChatModel(),
      logStream: { write: (line: string) => entries.push(JSON.parse(line) as Record<string, unknown>) },
    });
    await app.inject({ method: "GET", url: "/api/conversations?q=otters" });
    await app.inject({ method: "GET", url: "/health" });
    await app.close();
    const requests = entries.filter((e) => e.req !== undefined);
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({ level: 30, req: { method: "GET", url: "/api/conversations?q=otters" }, res: { statusCode: 200 } });
    expect(requests[0]!.msg).toMatch(/^GET \/api\/conversations\?q=otters 200 /);
    expect(requests[1]).toMatchObject({ level: 20, req: { url: "/health" } });
  });
});
