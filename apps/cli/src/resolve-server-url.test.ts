import { describe, expect, it } from "vitest";
import { httpBaseUrl, httpOrigin, resolveServerUrl } from "./resolve-server-url.js";

describe("resolveServerUrl", () => {
  it.each([
    ["http://127.0.0.1:8787", "ws://127.0.0.1:8787/ws"],
    ["https://alma.example.com", "wss://alma.example.com/ws"],
    ["ws://localhost:9000/ws", "ws://localhost:9000/ws"],
    ["wss://h/custom/path", "wss://h/custom/path"],
    ["localhost:8787", "ws://localhost:8787/ws"],
  ])("%s -> %s", (input, expected) => {
    expect(resolveServerUrl(input)).toBe(expected);
  });

  it("refuses other schemes with a readable message", () => {
    expect(() => resolveServerUrl("ftp://x")).toThrow(/http\(s\):\/\/ or ws\(s\):\/\//);
  });

  it("gives the http origin of a ws URL", () => {
    expect(httpOrigin("wss://h:1/ws")).toBe("https://h:1");
  });

  it.each([
    ["ws://127.0.0.1:8787/ws", "http://127.0.0.1:8787"],
    ["wss://alma.example.com/ws", "https://alma.example.com"],
    ["wss://host/alma/ws", "https://host/alma"],
    ["wss://host/alma/ws/", "https://host/alma"],
    ["ws://h/custom/socket", "http://h"],
  ])("the HTTP API of %s is at %s", (ws, base) => {
    expect(httpBaseUrl(ws)).toBe(base);
  });
});
