import { describe, expect, it } from "vitest";
import { DEFAULT_SERVER_URL, readServerUrl, serverHttpBase, serverOrigin, serverUrlForPage } from "./server-url";

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

describe("serverUrlForPage", () => {
  it("a page opened at the machine's network address reaches a loopback-configured server at that address", () => {
    expect(serverUrlForPage("ws://127.0.0.1:8787/ws", "192.168.1.20:3000")).toBe("ws://192.168.1.20:8787/ws");
    expect(serverUrlForPage("ws://localhost:8787/ws", "alma-box.lan:3000")).toBe("ws://alma-box.lan:8787/ws");
    expect(serverUrlForPage("ws://127.0.0.1:8787/ws", "[fd00::5]:3000")).toBe("ws://[fd00::5]:8787/ws");
  });
  it("leaves it as set for a page on the machine itself, a server named otherwise, or no Host", () => {
    expect(serverUrlForPage("ws://127.0.0.1:8787/ws", "localhost:3000")).toBe("ws://127.0.0.1:8787/ws");
    expect(serverUrlForPage("ws://127.0.0.1:8787/ws", "127.0.0.1:3000")).toBe("ws://127.0.0.1:8787/ws");
    expect(serverUrlForPage("wss://alma.example/ws", "192.168.1.20:3000")).toBe("wss://alma.example/ws");
    expect(serverUrlForPage("ws://127.0.0.1:8787/ws", null)).toBe("ws://127.0.0.1:8787/ws");
    expect(serverUrlForPage("ws://127.0.0.1:8787/ws", "bad host:x")).toBe("ws://127.0.0.1:8787/ws");
  });
});
