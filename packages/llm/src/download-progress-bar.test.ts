import { describe, expect, it } from "vitest";
import { renderProgressLine } from "./download-progress-bar.js";

const MB = 1024 * 1024;

describe("renderProgressLine", () => {
  it("shows the share done, the bar and the sizes", () => {
    const line = renderProgressLine("model.gguf", 100 * MB, 400 * MB, 80);
    expect(line).toContain(" 25% 100.0/400.0 MB");
    expect(line).toMatch(/\[#+-+\]/);
    expect(line.length).toBeLessThan(80);
  });

  it("shows only the received size when the total is unknown", () => {
    expect(renderProgressLine("m", 5 * MB, null)).toBe("m 5.0 MB");
  });
});
