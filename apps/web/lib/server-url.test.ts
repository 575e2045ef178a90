import { describe, expect, it } from "vitest";
import { DEFAULT_SERVER_URL, readServerUrl, serverHttpBase, serverOrigin } from "./server-url";

describe("readServerUrl", () => {
  it("reads the URL at runtime, preferring ALMA_SERVER_URL", () => {
    expect(readServerUrl({ NEXT_PUBLIC_ALMA_SERVER_URL: "ws://10.0.0.2:9000/ws" })).toBe("ws://10.0.0.2:9000/ws");
    expect(readServerUrl({ ALMA_SERVER_URL: "wss://alma.example/ws", NEXT_PUBLIC_ALMA_SERVER_URL: "ws://x/ws" })).toBe("wss://alma.example/ws");
  });
  it("falls back to the default for a missing or non-WebSocket URL", () => {
    expect(readServerUrl({})).toBe(DEFAULT_SERVER_URL);
    expect(readServerUrl({ NEXT_PUBLIC_ALMA_SERVER_URL: "http://x/ws" })).toBe(DEFAULT_SERVER_URL);
    expect(readServerUrl({ NEXT_PUBLIC_ALMA_SERVER_URL: "not a url" })).toBe(DEFAULT_SERVER_URL);
  });
  it("gives the origin a CSP connect-src needs", () => {
    expect(serverOrigin("ws://127.0.0.1:8787/ws")).toBe("ws://127.0.0.1:8787");
  });
  it("gives the HTTP API's base beside the WebSocket", () => {
    expect(serverHttpBase("ws://127.0.0.1:8787/ws")).toBe("http://127.0.0.1:8787");
    expect(serverHttpBase("wss://alma.example/ws/")).toBe("https://alma.example");
    expect(serverHttpBase("wss://alma.example/alma/ws")).toBe("https://alma.example/alma");
  });
});
