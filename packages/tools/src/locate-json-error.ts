export interface JsonErrorPlace {
  offset: number;
  line: number;
  column: number;
  problem: string;
}

class Stop {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const MAX_DEPTH = 500;

/**
 * Where a JSON text first goes wrong and what was expected there (JSON.parse's own message has
 * no position for some errors, and quotes the whole input for others). Undefined when the text
 * is valid JSON or nests deeper than this scanner follows.
 */
export function locateJsonError(text: string): JsonErrorPlace | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i += 1;
  };
  const found = () => (i >= text.length ? "the text ends" : `found ${JSON.stringify(text[i])}`);
  const string = () => {
    i += 1;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) throw new Stop(i, "a control character (such as a line break) inside a string; escape it");
      if (text[i] === "\\") {
        const e = text[i + 1] ?? "";
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Stop(i, "a \\u escape needs 4 hex digits");
          i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e) || e === "") throw new Stop(i, `an invalid escape "\\${e}" in a string`);
        i += 2;
        continue;
      }
      i += 1;
    }
    if (i >= text.length) throw new Stop(i, "a string that is never closed");
    i += 1;
  };
  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) throw new Error("too deep");
    ws();
    const c = text[i];
    if (c === "{") {
      i += 1;
      ws();
      if (text[i] === "}") {
        i += 1;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new Stop(i, `expected a property name in double quotes, ${found()}`);
        string();
        ws();
        if (text[i] !== ":") throw new Stop(i, `expected ":" after the property name, ${found()}`);
        i += 1;
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i += 1;
          ws();
          if (text[i] === "}") throw new Stop(i - 1, "a trailing comma before }");
          continue;
        }
        if (text[i] === "}") {
          i += 1;
          return;
        }
        throw new Stop(i, `expected "," or "}" after a property value, ${found()}`);
      }
    }
    if (c === "[") {
      i += 1;
      ws();
      if (text[i] === "]") {
        i += 1;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i += 1;
          ws();
          if (text[i] === "]") throw new Stop(i - 1, "a trailing comma before ]");
          continue;
        }
        if (text[i] === "]") {
          i += 1;
          return;
        }
        throw new Stop(i, `expected "," or "]" after an array element, ${found()}`);
      }
    }
    if (c === '"') {
      string();
      return;
    }
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    if (c !== undefined && NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      return;
    }
    throw new Stop(i, `expected a value, ${found()}`);
  };
  try {
    value(0);
    ws();
    if (i < text.length) throw new Stop(i, `unexpected text after the JSON value, ${found()}`);
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) return undefined;
    const before = text.slice(0, error.offset);
    const line = before.split("\n").length;
    const column = error.offset - before.lastIndexOf("\n");
    return { offset: error.offset, line, column, problem: error.problem };
  }
}
