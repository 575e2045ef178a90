import { describe, expect, it } from "vitest";
import { locateJsonError } from "./locate-json-error.js";

describe("locateJsonError", () => {
  it("finds nothing wrong in valid JSON, JSON.parse agreeing", () => {
    for (const text of ['{"a": [1, -2.5e3, true, null, "x\\n\\u00e9"]}', " 3 ", '""', "[]", "{}"]) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(locateJsonError(text)).toBeUndefined();
    }
  });

  it("says where and what for the mistakes people make by hand", () => {
    expect(locateJsonError("{'a': 1}")).toEqual({ offset: 1, line: 1, column: 2, problem: `expected a property name in double quotes, found "'"` });
    expect(locateJsonError('{\n  "a": 1\n  "b": 2\n}')).toMatchObject({
      line: 3,
      column: 3,
      problem: 'expected "," or "}" after a property value, found "\\""',
    });
    expect(locateJsonError('{"a": 1,}')).toMatchObject({ problem: "a trailing comma before }" });
    expect(locateJsonError('{"a": "line\nbreak"}')).toMatchObject({ line: 1, column: 12, problem: expect.stringMatching(/^a control character/) });
    expect(locateJsonError('{"a": "never closed')).toMatchObject({ problem: "a string that is never closed" });
    expect(locateJsonError('{"a": 1} extra')).toMatchObject({ column: 10, problem: 'unexpected text after the JSON value, found "e"' });
    expect(locateJsonError('{"a": ')).toMatchObject({ problem: "expected a value, the text ends" });
  });

  it("gives up, rather than overflowing, on very deep nesting", () => {
    expect(locateJsonError(`${"[".repeat(100_000)}x`)).toBeUndefined();
  });
});
