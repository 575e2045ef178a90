import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HELP_TEXT } from "./help-text.js";
import { conversationOf, jsonLines, startAlmaServer, TOKENS, type TestAlmaServer } from "./testing/start-alma-server.js";

// The `alma` command as a user runs it: a real process, its stdout and stderr as bytes, no pnpm banner.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = `${ROOT}node_modules/.bin/alma`;

let alma: TestAlmaServer;
beforeAll(async () => {
  alma = await startAlmaServer();
});
afterAll(async () => {
  await alma?.close();
});

function run(command: string, args: string[], input = ""): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // no ALMA_* from the environment that runs the tests: the command line says everything
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ALMA_")));
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

// each spawn starts node and tsx (about a second): more than vitest's default 5 s for the tests that spawn several
describe("the alma bin", { timeout: 30_000 }, () => {
  it("the root's node_modules/.bin/alma exists (the root depends on @alma/cli)", () => {
    expect(existsSync(BIN)).toBe(true);
  });

  it("--help: stdout is exactly the help text", async () => {
    expect(await run(BIN, ["--help"])).toEqual({ code: 0, stdout: HELP_TEXT, stderr: "" });
  });

  it("ask --json against a real server: stdout is only JSON lines; stderr only the conversation line", async () => {
    const result = await run(BIN, ["ask", "--json", "--type", "conversational", "--server", alma.url, "hi"]);
    expect(result.code).toBe(0);
    const frames = jsonLines(result.stdout);
    expect(frames.map((f) => f.type)).toContain("run.completed");
    const id = conversationOf(result.stderr);
    expect(result.stderr).toBe(`alma: conversation ${id} (continue with --conversation ${id})\n`);
  });

  it("reads the question from a pipe (echo … | alma ask) and exits with the CLI's code", async () => {
    const piped = await run(BIN, ["ask", "--type", "conversational", "--no-cache", "--server", alma.url], "Write a haiku about rain\n");
    expect(piped).toMatchObject({ code: 0, stdout: `${TOKENS.join("")}\n` });
    expect(await run(BIN, ["fly"])).toMatchObject({ code: 2, stdout: "" });
  });

  // the README's form: `pnpm alma …` has no root script of that name, so pnpm runs the bin and prints nothing of its own
  // pnpm is how this repo is run (the README, .ci/run): the test needs it, it does not skip without it
  it("pnpm alma and pnpm --silent alma print only the CLI's output", async () => {
    expect(await run("pnpm", ["alma", "--help"])).toEqual({ code: 0, stdout: HELP_TEXT, stderr: "" });
    expect(await run("pnpm", ["--silent", "alma", "--help"])).toEqual({ code: 0, stdout: HELP_TEXT, stderr: "" });
    const ask = await run("pnpm", ["alma", "ask", "--json", "--type", "conversational", "--no-cache", "--server", alma.url, "hi"]);
    expect(ask.code).toBe(0);
    expect(jsonLines(ask.stdout).map((f) => f.type)).toContain("run.completed");
  });
});
