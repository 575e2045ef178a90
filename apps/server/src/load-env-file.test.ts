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

  it("reads a relative file path in the file as relative to the file (the server runs from apps/server), and leaves the rest as written", () => {
    const dir = mkdtempSync(join(tmpdir(), "alma-env-"));
    const file = join(dir, ".env");
    writeFileSync(
      file,
      ["ALMA_MODEL=../shared/models/stories260K.gguf", "ALMA_DB_PATH=data/alma.db", "ALMA_MODEL_CACHE_DIR=models", "OPENAI_MODEL=../not-a-path-setting"].join(
        "\n",
      ),
    );
    const env: NodeJS.ProcessEnv = {};
    loadEnvFile(file, env);
    expect(env.ALMA_MODEL).toBe(join(dir, "../shared/models/stories260K.gguf"));
    expect(env.ALMA_MODEL_CACHE_DIR).toBe(join(dir, "models"));
    // the database stays where it always was: relative to the server's folder (config.ts resolves it there)
    expect(env.ALMA_DB_PATH).toBe("data/alma.db");
    expect(env.OPENAI_MODEL).toBe("../not-a-path-setting");
    // a model URI and SQLite's in-memory database are not paths
    // a model URI, or a model name, is not a path
    writeFileSync(file, "ALMA_MODEL=hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf\nALMA_MODEL_CACHE_DIR=/var/cache/alma\n");
    const other: NodeJS.ProcessEnv = {};
    loadEnvFile(file, other);
    expect(other.ALMA_MODEL).toBe("hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf");
    expect(other.ALMA_MODEL_CACHE_DIR).toBe("/var/cache/alma");
    // what the shell sets is the shell's: relative to where the server runs
    const shell: NodeJS.ProcessEnv = { ALMA_MODEL: "my.gguf" };
    loadEnvFile(file, shell);
    expect(shell.ALMA_MODEL).toBe("my.gguf");
  });
});
