import { describe, expect, it } from "vitest";
import { parseCliArgs } from "./parse-cli-args.js";

describe("parseCliArgs", () => {
  it("parses ask with every option", () => {
    const parsed = parseCliArgs(
      ["ask", "why?", "--server", "http://h:1", "--conversation", "c_1", "--type", "analytical", "--no-cache", "--stop-after", "5", "--json", "--token", "t"],
      {},
    );
    expect(parsed).toEqual({
      ok: true,
      command: {
        command: "ask",
        question: "why?",
        server: "ws://h:1/ws",
        conversationId: "c_1",
        taskType: "analytical",
        bypassCache: true,
        stopAfter: 5,
        json: true,
        token: "t",
        attach: [],
      },
    });
  });

  it("takes --attach for ask, repeatable, at most 10 files, and refuses it for the other commands", () => {
    expect(parseCliArgs(["ask", "--attach", "a.pdf", "what is in them?", "--attach", "notes/b.md"], {})).toMatchObject({
      ok: true,
      command: { command: "ask", question: "what is in them?", attach: ["a.pdf", "notes/b.md"] },
    });
    const eleven = Array.from({ length: 11 }, (_, i) => ["--attach", `f${i}.txt`]).flat();
    expect(parseCliArgs(["ask", "q", ...eleven], {})).toEqual({ ok: false, message: "--attach: a message may carry at most 10 files" });
    expect(parseCliArgs(["ask", "q", "--attach", ""], {})).toEqual({ ok: false, message: "--attach: give the file to attach" });
    expect(parseCliArgs(["history", "c1", "--attach", "a.txt"], {})).toEqual({ ok: false, message: "--attach is an option of ask only." });
  });

  it("reads the question from stdin for no argument or -, and takes the token from the environment", () => {
    for (const argv of [["ask"], ["ask", "-"]]) {
      expect(parseCliArgs(argv, { ALMA_AUTH_TOKEN: "env-token" })).toMatchObject({
        ok: true,
        command: { question: null, token: "env-token", server: "ws://127.0.0.1:8787/ws" },
      });
    }
  });

  it.each([
    [["ask", "q", "--type", "poetic"], /--type: Invalid option/],
    [["ask", "q", "--stop-after", "0"], /--stop-after takes a number above 0/],
    [["ask", "q", "--stop-after", "x"], /--stop-after takes a number/],
    [["ask", "q", "--conversation", "bad id!"], /--conversation: ids use letters/],
    [["ask", "q", "--bogus"], /Unknown option '--bogus'/],
    [["pin", "fact"], /pin needs --conversation/],
    [["history"], /history needs the conversation ID/],
    [["fly"], /Unknown command "fly"/],
    [["ask", "q", "--server", "ftp://x"], /http\(s\)/],
  ])("refuses %j", (argv, message) => {
    const parsed = parseCliArgs(argv, {});
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it("shows help for --help or no command", () => {
    expect(parseCliArgs(["--help"], {})).toEqual({ ok: true, command: { command: "help" } });
    expect(parseCliArgs([], {})).toEqual({ ok: true, command: { command: "help" } });
  });
});

describe("parseCliArgs export", () => {
  it("parses export with its defaults, --format, --out / -o and --json as --format json", () => {
    expect(parseCliArgs(["export", "c1"], { ALMA_SERVER_URL: "http://h:2" })).toEqual({
      ok: true,
      command: { command: "export", server: "ws://h:2/ws", json: false, conversationId: "c1", format: "markdown", out: null },
    });
    expect(parseCliArgs(["export", "c1", "--format", "json", "-o", "c1.json"], {})).toMatchObject({ ok: true, command: { format: "json", out: "c1.json" } });
    expect(parseCliArgs(["export", "c1", "--json"], {})).toMatchObject({ ok: true, command: { format: "json", json: false } });
  });

  it.each([
    [["export"], /export needs the conversation ID/],
    [["export", "c1", "--format", "pdf"], /--format: takes markdown or json, not "pdf"/],
    [["export", "c1", "--json", "--format", "markdown"], /--json asks for --format json/],
    [["export", "bad id!"], /--conversation: ids use letters/],
    [["ask", "q", "--out", "x.md"], /--out is an option of export only/],
    [["list", "--format", "json"], /--format is an option of export only/],
  ])("refuses %j", (argv, message) => {
    const parsed = parseCliArgs(argv, {});
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });
});
