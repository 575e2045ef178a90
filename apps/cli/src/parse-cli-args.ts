import { parseArgs } from "node:util";
import { z } from "zod";
import { idSchema, MAX_ATTACHMENTS_PER_MESSAGE, taskTypeChoiceSchema } from "@alma/protocol";
import { DEFAULT_SERVER_URL, resolveServerUrl } from "./resolve-server-url.js";

const common = {
  server: z.string(),
  token: z.string().min(1).optional(),
  json: z.boolean(),
};

const askSchema = z.object({
  command: z.literal("ask"),
  ...common,
  /** null: read it from stdin */
  question: z.string().nullable(),
  conversationId: idSchema.optional(),
  taskType: taskTypeChoiceSchema,
  bypassCache: z.boolean(),
  stopAfter: z.number().int("--stop-after takes a whole number").positive("--stop-after takes a number above 0").optional(),
  /** files to send with the question (--attach, repeatable) */
  attach: z
    .array(z.string().min(1, "give the file to attach"))
    .max(MAX_ATTACHMENTS_PER_MESSAGE, `a message may carry at most ${MAX_ATTACHMENTS_PER_MESSAGE} files`)
    .default([]),
});

const pinSchema = z.object({
  command: z.literal("pin"),
  ...common,
  fact: z.string().trim().min(1, "give the fact to pin"),
  conversationId: idSchema,
});

export const exportFormatSchema = z.enum(["markdown", "json"], { error: (issue) => `takes markdown or json, not "${String(issue.input)}"` });
export type ExportFormat = z.infer<typeof exportFormatSchema>;

const exportSchema = z.object({
  command: z.literal("export"),
  ...common,
  conversationId: idSchema,
  format: exportFormatSchema,
  /** null: print to stdout */
  out: z.string().min(1, "give the file to write").nullable(),
});

const historySchema = z.object({ command: z.literal("history"), ...common, conversationId: idSchema });
const listSchema = z.object({ command: z.literal("list"), ...common });
const helpSchema = z.object({ command: z.literal("help") });

export const cliCommandSchema = z.discriminatedUnion("command", [askSchema, pinSchema, historySchema, listSchema, exportSchema, helpSchema]);
export type CliCommand = z.infer<typeof cliCommandSchema>;
export type AskCommand = z.infer<typeof askSchema>;
export type ExportCommand = z.infer<typeof exportSchema>;

export type ParsedArgs = { ok: true; command: CliCommand } | { ok: false; message: string };

/** Parses argv (without node and script) into a validated command; a usage problem comes back in words. */
export function parseCliArgs(argv: string[], env: Record<string, string | undefined>): ParsedArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0 || positionals[0] === "help") return { ok: true, command: { command: "help" } };
  const [command, ...rest] = positionals;

  let server: string;
  try {
    server = resolveServerUrl(values.server ?? env.ALMA_SERVER_URL ?? DEFAULT_SERVER_URL);
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  const stopAfter = values["stop-after"] === undefined ? undefined : Number(values["stop-after"]);
  if (stopAfter !== undefined && Number.isNaN(stopAfter)) return { ok: false, message: `--stop-after takes a number, not "${values["stop-after"]}"` };
  const base = { server, token: values.token ?? (env.ALMA_AUTH_TOKEN || undefined), json: values.json ?? false };

  if (command !== "ask" && values.attach !== undefined) return { ok: false, message: "--attach is an option of ask only." };
  if (command !== "export") {
    for (const flag of ["format", "out"] as const) if (values[flag] !== undefined) return { ok: false, message: `--${flag} is an option of export only.` };
  }
  if (rest.length > 1) return { ok: false, message: `"${command}" takes one argument; quote the text ("like this").` };
  const arg = rest[0];
  let candidate: unknown;
  switch (command) {
    case "ask":
      candidate = {
        command,
        ...base,
        question: arg === undefined || arg === "-" ? null : arg,
        conversationId: values.conversation,
        taskType: values.type ?? "auto",
        bypassCache: values["no-cache"] ?? false,
        stopAfter,
        attach: values.attach,
      };
      break;
    case "pin":
      if (values.conversation === undefined) return { ok: false, message: "pin needs --conversation ID: the conversation to pin the fact to." };
      candidate = { command, ...base, fact: arg ?? "", conversationId: values.conversation };
      break;
    case "history":
      if (arg === undefined) return { ok: false, message: "history needs the conversation ID: alma history ID (alma list shows them)." };
      candidate = { command, ...base, conversationId: arg };
      break;
    case "list":
      if (arg !== undefined) return { ok: false, message: "list takes no argument." };
      candidate = { command, ...base };
      break;
    case "export": {
      if (arg === undefined) return { ok: false, message: "export needs the conversation ID: alma export ID (alma list shows them)." };
      // --json is the short way to say --format json
      if (values.json && values.format !== undefined && values.format !== "json") {
        return { ok: false, message: `--json asks for --format json, but --format says "${values.format}"; give one of them.` };
      }
      const format = values.format ?? (values.json ? "json" : "markdown");
      candidate = { command, ...base, json: false, conversationId: arg, format, out: values.out ?? null };
      break;
    }
    default:
      return { ok: false, message: `Unknown command "${command}". Commands: ask, pin, history, list, export.` };
  }
  const result = cliCommandSchema.safeParse(candidate);
  if (!result.success) {
    const flags: Record<string, string> = {
      conversationId: "--conversation",
      taskType: "--type",
      stopAfter: "--stop-after",
      attach: "--attach",
      token: "--token",
      format: "--format",
      out: "--out",
      fact: "the fact",
    };
    return {
      ok: false,
      message: result.error.issues.map((i) => `${flags[String(i.path[0])] ?? String(i.path[0] ?? "argument")}: ${i.message}`).join("; "),
    };
  }
  return { ok: true, command: result.data };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      server: { type: "string" },
      token: { type: "string" },
      conversation: { type: "string" },
      type: { type: "string" },
      "no-cache": { type: "boolean" },
      "stop-after": { type: "string" },
      attach: { type: "string", multiple: true },
      json: { type: "boolean" },
      format: { type: "string" },
      out: { type: "string", short: "o" },
      help: { type: "boolean", short: "h" },
    },
  });
}
