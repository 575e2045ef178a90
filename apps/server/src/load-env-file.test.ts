import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadEnvFile } from "./load-env-file.js";

describe("loadEnvFile", () => {
  it("adds the file's settings without overriding what the environment already has", () => {
    const dir = mkdtempSync(join(tmpdir(), "alma-env-"));
    const file = join(dir, ".env");
    writeFileSync(file, "PORT=9999\nOPENAI_MODEL=from-file\n# a comment\nEMPTY=\n");
    const env: NodeJS.ProcessEnv = { PORT: "8787" };
    const applied = loadEnvFile(file, env);
    expect(env.PORT).toBe("8787");
    expect(env.OPENAI_MODEL).toBe("from-file");
    expect(applied).toContain("OPENAI_MODEL");
    expect(applied).not.toContain("PORT");
  });

  it("does nothing when the file is missing", () => {
    const env: NodeJS.ProcessEnv = {};
    expect(loadEnvFile("/nonexistent/.env", env)).toEqual([]);
    expect(env).toEqual({});
  });
});
