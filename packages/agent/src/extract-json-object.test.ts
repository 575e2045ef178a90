import { describe, expect, it } from "vitest";
import { extractJsonObject } from "./extract-json-object.js";

describe("extractJsonObject", () => {
  it("reads a bare object", () => expect(extractJsonObject('{"a":1}')).toEqual({ a: 1 }));
  it("reads an object inside fences and prose, braces in strings included", () =>
    expect(extractJsonObject('Sure!\n```json\n{"a":"x}y","b":{"c":[1]}}\n```\nDone.')).toEqual({ a: "x}y", b: { c: [1] } }));
  it("returns undefined for no object or broken JSON", () => {
    expect(extractJsonObject("once upon a time")).toBeUndefined();
    expect(extractJsonObject("{a:1}")).toBeUndefined();
    expect(extractJsonObject('{"a":1')).toBeUndefined();
  });
});
