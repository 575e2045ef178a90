import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { withRepoEnv } from "./repo-env.js";

const envFile = (text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), "alma-cli-env-")), ".env");
  writeFileSync(file, text);
  return file;
};

describe("withRepoEnv", () => {
  it("finds the server where the repo's .env makes it listen (PORT, HOST)", () => {
    expect(withRepoEnv({}, envFile("PORT=3151\n")).ALMA_SERVER_URL).toBe("ws://127.0.0.1:3151/ws");
    expect(withRepoEnv({}, envFile("HOST=0.0.0.0\nPORT=9000\n")).ALMA_SERVER_URL).toBe("ws://127.0.0.1:9000/ws");
    expect(withRepoEnv({}, envFile("HOST=192.168.1.20\n")).ALMA_SERVER_URL).toBe("ws://192.168.1.20:8787/ws");
    expect(withRepoEnv({}, envFile("ALMA_SERVER_URL=wss://alma.example/ws\nPORT=3151\nALMA_AUTH_TOKEN=t\n"))).toMatchObject({
      ALMA_SERVER_URL: "wss://alma.example/ws",
      ALMA_AUTH_TOKEN: "t",
    });
  });

  it("the shell wins over the file, and nothing is made up without either", () => {
    expect(withRepoEnv({ ALMA_SERVER_URL: "ws://10.0.0.2:1/ws" }, envFile("PORT=3151\n")).ALMA_SERVER_URL).toBe("ws://10.0.0.2:1/ws");
    expect(withRepoEnv({ PORT: "4000" }, envFile("PORT=3151\n")).ALMA_SERVER_URL).toBe("ws://127.0.0.1:4000/ws");
    expect(withRepoEnv({}, envFile("OPENAI_MODEL=x\n")).ALMA_SERVER_URL).toBeUndefined();
    expect(withRepoEnv({ A: "b" }, "/nonexistent/.env")).toEqual({ A: "b" });
  });
});
