import { describe, expect, it } from "vitest";
import { readArrival, readStamps } from "./hrtime.js";

describe("token stamps", () => {
  it("reads every emit time in a chunk that carries several tokens, in ms", () => {
    const into: number[] = [];
    readStamps('{"text":"^1000000;@2000000;"}{"text":"@3500000;"}', into);
    expect(into).toEqual([2, 3.5]);
  });
  it("adds nothing for text without stamps", () => {
    const into: number[] = [1];
    readStamps('{"type":"run.started","index":0}', into);
    expect(into).toEqual([1]);
  });
  it("reads the upstream's request arrival from the first token only", () => {
    expect(readArrival("^1000000;@2000000;")).toBe(1);
    expect(readArrival("@2000000;")).toBeNull();
  });
});
