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
});
