import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { exportUrl } from "./export-command.js";
import { runCli } from "./run-cli.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

interface Call {
  url: string;
  headers: Record<string, string>;
}

/** runs the CLI with a fetch that records the request and answers `respond(url)` */
async function exportWith(argv: string[], respond: (url: string) => Response | Promise<Response>, env: Record<string, string> = {}) {
  const calls: Call[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const fakeFetch = async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), headers: { ...(init?.headers as Record<string, string>) } });
    return respond(String(input));
  };
  const code = await runCli(argv, {
    stdin: Readable.from([""]),
    stdout: { write: (c: string) => out.push(c) },
    stderr: { write: (c: string) => err.push(c) },
    env,
    fetch: fakeFetch as typeof fetch,
  });
  return { code, stdout: out.join(""), stderr: err.join(""), calls };
}

const markdown = (body: string) => new Response(body, { headers: { "content-type": "text/markdown; charset=utf-8" } });
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });

const EXPORT = {
  version: 1,
  exportedAt: 1,
  conversation: { id: "c1", title: "Trip" },
  messages: [],
  totals: { promptTokens: 3, completionTokens: 4, costUsd: 0 },
};

describe("alma export", () => {
  it("builds the export URL from the server URL the CLI resolved, keeping a path prefix", () => {
    expect(exportUrl("ws://127.0.0.1:8787/ws", "c1", "markdown")).toBe("http://127.0.0.1:8787/api/conversations/c1/export?format=markdown");
    expect(exportUrl("wss://host/alma/ws", "c_2", "json")).toBe("https://host/alma/api/conversations/c_2/export?format=json");
  });

  it("prints the Markdown export to stdout, asking with the bearer token", async () => {
    const result = await exportWith(["export", "c1", "--server", "http://h:1"], () => markdown("# Trip\n\n**user**: hi\n"), { ALMA_AUTH_TOKEN: "secret" });
    expect(result).toMatchObject({ code: 0, stdout: "# Trip\n\n**user**: hi\n", stderr: "" });
    expect(result.calls).toEqual([
      { url: "http://h:1/api/conversations/c1/export?format=markdown", headers: { accept: "text/markdown", authorization: "Bearer secret" } },
    ]);
  });

  it("prints the JSON export as the server sent it, for --format json and for --json; no token, no authorization", async () => {
    for (const flags of [["--format", "json"], ["--json"]]) {
      const result = await exportWith(["export", "c1", ...flags, "--server", "http://h:1"], () => json(EXPORT));
      expect(result).toMatchObject({ code: 0, stdout: `${JSON.stringify(EXPORT)}\n`, stderr: "" });
      expect(result.calls[0]).toEqual({ url: "http://h:1/api/conversations/c1/export?format=json", headers: { accept: "application/json" } });
    }
  });

  it("--out writes the file exactly as received and says so on stderr; stdout stays empty", async () => {
    const dir = await mkdtemp(join(tmpdir(), "alma-export-"));
    dirs.push(dir);
    const file = join(dir, "trip.md");
    const result = await exportWith(["export", "c1", "--out", file, "--server", "http://h:1"], () => markdown("# Trip"));
    expect(result).toMatchObject({ code: 0, stdout: "", stderr: `alma: exported conversation c1 (markdown) to ${file}\n` });
    expect(await readFile(file, "utf8")).toBe("# Trip");
  });

  it("a failed export leaves no file behind, and an unwritable --out is said in words", async () => {
    const dir = await mkdtemp(join(tmpdir(), "alma-export-"));
    dirs.push(dir);
    const file = join(dir, "never.md");
    const failed = await exportWith(["export", "nope", "-o", file, "--server", "http://h:1"], () =>
      json({ error: "not_found", message: "No such conversation." }, 404),
    );
    expect(failed.code).toBe(1);
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
    const unwritable = await exportWith(["export", "c1", "--out", join(dir, "missing", "x.md"), "--server", "http://h:1"], () => markdown("# Trip"));
    expect(unwritable).toMatchObject({ code: 1, stdout: "" });
    expect(unwritable.stderr).toMatch(/^alma: cannot write .*missing\/x\.md: ENOENT/);
  });

  it("an unknown conversation: the server's words and where to find the IDs", async () => {
    const result = await exportWith(["export", "nope", "--server", "http://h:1"], () =>
      json({ error: "not_found", message: "No such conversation (it may have been deleted)." }, 404),
    );
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "alma: no conversation nope on the server at http://h:1: No such conversation (it may have been deleted).\n" +
        "Run `alma list` to see its conversations and their IDs.\n",
      calls: expect.any(Array),
    });
  });

  it("a 404 that is not the server's own (no export route): the server is older than the CLI", async () => {
    const result = await exportWith(["export", "c1", "--server", "http://h:1"], () =>
      json({ message: "Route GET:/api/conversations/c1/export?format=markdown not found", error: "Not Found", statusCode: 404 }, 404),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/has no conversation export \(GET \/api\/conversations\/:id\/export answered 404 Not Found\)/);
    expect(result.stderr).toMatch(/update and restart the alma server/);
  });

  it("401: asks for the token, or says the one given is wrong", async () => {
    const refuse = () => json({ error: "unauthorized", message: "Send the server's access token as `Authorization: Bearer <ALMA_AUTH_TOKEN>`." }, 401);
    const none = await exportWith(["export", "c1", "--server", "http://h:1"], refuse);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^alma: the server at http:\/\/h:1 refused the export \(401 unauthorized\): Send the server's access token/);
    expect(none.stderr).toMatch(/pass it with --token or set ALMA_AUTH_TOKEN/);
    const wrong = await exportWith(["export", "c1", "--token", "bad", "--server", "http://h:1"], refuse);
    expect(wrong.stderr).toMatch(/The access token given \(--token or ALMA_AUTH_TOKEN\) is not the server's/);
  });

  it("429 and 5xx: what happened and what to do", async () => {
    const limited = await exportWith(["export", "c1", "--server", "http://h:1"], () =>
      json({ error: "Too Many Requests", message: "Rate limit exceeded, retry in 1 minute" }, 429, { "retry-after": "42" }),
    );
    expect(limited.stderr).toMatch(/rate-limiting requests \(429 Too Many Requests\): Rate limit exceeded.* Try again in 42 s\./);
    const broken = await exportWith(["export", "c1", "--server", "http://h:1"], () => json({ error: "internal", message: "disk I/O error" }, 500));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/failed to export conversation c1 \(500 internal\): disk I\/O error\nTry again; the server's log says/);
  });

  it("a page that is not an export (--server at the web app) is refused, not printed", async () => {
    const result = await exportWith(
      ["export", "c1", "--server", "http://h:3000"],
      () => new Response("<html></html>", { headers: { "content-type": "text/html" } }),
    );
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toMatch(/answered with text\/html, not text\/markdown .*\nCheck that --server/);
    const notJson = await exportWith(
      ["export", "c1", "--format", "json", "--server", "http://h:1"],
      () => new Response("oops", { headers: { "content-type": "application/json" } }),
    );
    expect(notJson.stderr).toMatch(/a body that is not JSON/);
  });

  it("says the server isn't running (exit 3) when nothing answers", async () => {
    const result = await exportWith(["export", "c1", "--server", "http://127.0.0.1:9"], () => {
      throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:9") });
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^alma: the alma server isn't running at http:\/\/127\.0\.0\.1:9 \(connect ECONNREFUSED 127\.0\.0\.1:9\)\.\nStart it with/);
  });
});
