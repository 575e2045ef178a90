import { describe, expect, it } from "vitest";
import { secretMatches } from "./secret-matches.js";

describe("secretMatches", () => {
  it("matches only the exact secret", () => {
    expect(secretMatches("s3cret-token-long-enough", "s3cret-token-long-enough")).toBe(true);
    expect(secretMatches("s3cret-token-long-enough", "s3cret-token-long-enougH")).toBe(false);
    expect(secretMatches("s3cret-token-long-enough", "s3cret")).toBe(false);
    expect(secretMatches("s3cret-token-long-enough", undefined)).toBe(false);
    expect(secretMatches("é", "e")).toBe(false);
  });
});
