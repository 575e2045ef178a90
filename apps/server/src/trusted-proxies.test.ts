import { describe, expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import { buildApp } from "./build-app.js";
import { ConfigError, loadConfig } from "./config.js";
import { testConfig } from "./testing/test-config.js";

/** three requests from each of two browsers, all through one proxy on 127.0.0.1 */
async function statusesBehindProxy(env: Record<string, string>): Promise<number[]> {
  const app = await buildApp({ config: testConfig({ ALMA_HTTP_REQUESTS_PER_MINUTE: "2", ...env }), model: new ScriptedChatModel() });
  try {
    const statuses: number[] = [];
    for (const client of ["203.0.113.5", "203.0.113.5", "203.0.113.5", "198.51.100.7"]) {
      const res = await app.inject({ method: "GET", url: "/api/conversations", remoteAddress: "127.0.0.1", headers: { "x-forwarded-for": client } });
      statuses.push(res.statusCode);
    }
    return statuses;
  } finally {
    await app.close();
  }
}

describe("ALMA_TRUSTED_PROXIES", () => {
  it("behind a trusted proxy each browser has its own rate limit", async () => {
    expect(await statusesBehindProxy({ ALMA_TRUSTED_PROXIES: "127.0.0.1" })).toEqual([200, 200, 429, 200]);
    expect(await statusesBehindProxy({ ALMA_TRUSTED_PROXIES: "loopback" })).toEqual([200, 200, 429, 200]);
  });

  it("unset, X-Forwarded-For is not believed (anyone could send it): the proxy's address is the client", async () => {
    expect(await statusesBehindProxy({})).toEqual([200, 200, 429, 429]);
  });

  it("refuses an entry that is neither an address, a range nor a proxy-addr name", () => {
    expect(loadConfig({ ALMA_TRUSTED_PROXIES: "10.0.0.0/8, ::1" }).trustedProxies).toEqual(["10.0.0.0/8", "::1"]);
    expect(() => loadConfig({ ALMA_TRUSTED_PROXIES: "nginx.local" })).toThrow(ConfigError);
    expect(() => loadConfig({ ALMA_TRUSTED_PROXIES: "nginx.local" })).toThrow(/ALMA_TRUSTED_PROXIES/);
  });
});
