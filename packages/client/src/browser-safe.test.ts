import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The web app bundles this package: its runtime files must not import `ws` or Node built-ins.
describe("@alma/client runtime files", () => {
  const dir = fileURLToPath(new URL(".", import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));

  it("include the client itself", () => {
    expect(files).toContain("alma-client.ts");
  });

  it.each(files)("%s imports neither ws nor node: modules", (file) => {
    const imports = [...readFileSync(new URL(file, import.meta.url), "utf8").matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]);
    expect(imports.filter((i) => i === "ws" || i!.startsWith("node:"))).toEqual([]);
  });
});
