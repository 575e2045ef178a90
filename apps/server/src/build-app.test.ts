import { describe, expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import { buildApp } from "./build-app.js";
import { testConfig } from "./testing/test-config.js";

describe("buildApp logging", () => {
  it("never writes secrets: authorization headers, api keys and tokens are redacted", async () => {
    const lines: string[] = [];
    const token = "the-access-token-0123456789";
    const config = testConfig({ ALMA_AUTH_TOKEN: token, OPENAI_API_KEY: "sk-very-secret", LOG_LEVEL: "trace" });
    const app = await buildApp({
      config,
      model: new ScriptedChatModel(),
      logStream: { write: (line) => lines.push(line) },
    });
    await app.inject({ method: "GET", url: "/api/conversations", headers: { authorization: `Bearer ${token}` } });
    app.log.info({ config }, "configuration");
    app.log.info({ apiKey: "sk-very-secret", token }, "credentials");
    app.log.info({ req: { headers: { authorization: `Bearer ${token}` } } }, "a request");
    await app.close();
    const all = lines.join("");
    expect(all).toContain("[redacted]");
    expect(all).not.toContain(token);
    expect(all).not.toContain("sk-very-secret");
  });
});
