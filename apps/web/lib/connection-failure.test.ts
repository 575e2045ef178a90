import { describe, expect, it } from "vitest";
import { AlmaClientError, type ConnectionState, type WelcomeFrame } from "@alma/client";
import { connectionFailure, conversationListError, isOriginRefused } from "./connection-failure";

const refused: ConnectionState = { status: "closed", error: new AlmaClientError({ code: "forbidden_origin", message: "refused" }) };
const gaveUp: ConnectionState = { status: "closed", error: new AlmaClientError({ code: "unauthorized", message: "bad token" }) };
const trying: ConnectionState[] = [
  { status: "idle" },
  { status: "connecting", attempt: 3 },
  { status: "reconnecting", attempt: 8, delayMs: 2000, nextAttemptAt: 0, lastError: "refused" },
  { status: "open", welcome: {} as WelcomeFrame },
  // close() by the page itself: no failure
  { status: "closed", error: null },
];

describe("connection failure", () => {
  it("tells a refused origin from other failures", () => {
    expect(isOriginRefused(refused)).toBe(true);
    expect(isOriginRefused(gaveUp)).toBe(false);
    expect(connectionFailure(refused)).toBe("the alma server refused this page's address");
    expect(connectionFailure(gaveUp)).toBe("the connection to the alma server failed");
  });

  it("is no failure while the client is open or still trying", () => {
    for (const state of trying) {
      expect(connectionFailure(state), state.status).toBeNull();
      expect(isOriginRefused(state), state.status).toBe(false);
    }
  });

  it("makes the conversation list say it cannot load, and why, instead of Loading… forever", () => {
    expect(conversationListError(null, false, refused)).toBe("Cannot load conversations: the alma server refused this page's address.");
    expect(conversationListError(null, false, gaveUp)).toBe("Cannot load conversations: the connection to the alma server failed.");
    // still trying: the list is loading
    for (const state of trying) expect(conversationListError(null, false, state), state.status).toBeNull();
    // a list that arrived stays shown; the list's own error comes first
    expect(conversationListError(null, true, refused)).toBeNull();
    expect(conversationListError("Search failed.", false, refused)).toBe("Search failed.");
  });
});
