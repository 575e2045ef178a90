import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderProtocolDocs } from "./render-protocol-docs.js";
import { clientFrameTypes } from "./client-frame.js";
import { serverFrameSchemas } from "./server-frame.js";

describe("docs/protocol.md", () => {
  const doc = readFileSync(new URL("../../../docs/protocol.md", import.meta.url), "utf8");

  it("is exactly what the schemas render (run `pnpm docs:protocol` after changing a schema)", () => {
    expect(doc).toBe(renderProtocolDocs());
  });

  it("documents every client and server frame type", () => {
    for (const t of clientFrameTypes) expect(doc).toContain(`### \`${t}\``);
    for (const s of serverFrameSchemas) expect(doc).toContain(`### \`${s.shape.type.value}\``);
  });
});
