import { WebSocket } from "ws";
import { AlmaClient } from "@alma/client";
import type { ModelStatus } from "@alma/protocol";
import { askCommand } from "./ask-command.js";
import { attachFiles, checkFiles } from "./attach-files.js";
import { EXIT_ERROR, EXIT_USAGE, type CliIo } from "./cli-io.js";
import { describeFailure, modelSetupHints } from "./describe-failure.js";
import { exportCommand } from "./export-command.js";
import { HELP_TEXT } from "./help-text.js";
import { historyCommand } from "./history-command.js";
import { listCommand } from "./list-command.js";
import { parseCliArgs } from "./parse-cli-args.js";
import { pinCommand } from "./pin-command.js";
import { readAll } from "./read-all.js";

/** The whole CLI as a function: argv without node and the script, returning the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs(argv, io.env);
  if (!parsed.ok) {
    io.stderr.write(`alma: ${parsed.message}\nRun \`alma --help\` for usage.\n`);
    return EXIT_USAGE;
  }
  const command = parsed.command;
  if (command.command === "help") {
    io.stdout.write(HELP_TEXT);
    return 0;
  }
  // export is one HTTP request: no WebSocket
  if (command.command === "export") return await exportCommand(command, io);

  let question: string | null = null;
  if (command.command === "ask") {
    if (command.question === null && io.stdin.isTTY) io.stderr.write("Type the question, then Ctrl-D:\n");
    question = (command.question ?? (await readAll(io.stdin))).trim();
    if (question === "") {
      io.stderr.write('alma: no question: pass it as an argument (alma ask "question") or on stdin.\n');
      return EXIT_USAGE;
    }
    // a missing file is found before the server is asked anything
    const missing = await checkFiles(command.attach);
    if (missing) {
      io.stderr.write(`${missing.message}\n`);
      return missing.exitCode;
    }
  }

  const now = io.now ?? Date.now;
  const client = new AlmaClient({ WebSocket: io.WebSocket ?? WebSocket, reconnect: false, clientName: "alma-cli", now });
  if (command.json) {
    client.on("frame", ({ text, receivedAt }) => io.stdout.write(`${jsonLine(text, receivedAt)}\n`));
  }
  client.on("frame.invalid", (event) => io.stderr.write(`alma: ignored a frame from the server: ${event.reason}\n`));

  let model: ModelStatus | null = null;
  try {
    const welcome = await client.connect(command.server, { token: command.token });
    model = welcome.model;
    switch (command.command) {
      case "ask":
        if (model.state === "unavailable") {
          io.stderr.write(`alma: the server at ${command.server} has no model ready.\n${modelSetupHints(model)}\n`);
          return EXIT_ERROR;
        }
        if (command.attach.length > 0) {
          const attached = await attachFiles({ ...command, files: command.attach }, io, (id) => client.delete(id));
          if (!attached.ok) {
            io.stderr.write(`${attached.failure.message}\n`);
            return attached.failure.exitCode;
          }
          return await askCommand(
            client,
            { ...command, question: question ?? "", conversationId: attached.conversationId, attachmentIds: attached.attachmentIds },
            io,
            model,
          );
        }
        return await askCommand(client, { ...command, question: question ?? "" }, io, model);
      case "pin":
        return await pinCommand(client, command, io);
      case "history":
        return await historyCommand(client, command, io);
      case "list":
        return await listCommand(client, command, io);
    }
  } catch (error) {
    const failure = describeFailure(error, command.server, model);
    io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  } finally {
    client.close();
  }
}

/**
 * One server frame as one line of JSON with receivedAt added. The server's own text is kept (receivedAt spliced in)
 * so every field stays exactly as it was sent; a frame whose text spans lines (pretty-printed) is re-serialized.
 */
export function jsonLine(text: string, receivedAt: number): string {
  const trimmed = text.trim();
  if (!trimmed.includes("\n") && !trimmed.includes("\r") && /^\{.*\}$/.test(trimmed)) {
    return trimmed === "{}" ? `{"receivedAt":${receivedAt}}` : `${trimmed.slice(0, -1)},"receivedAt":${receivedAt}}`;
  }
  return JSON.stringify({ ...(JSON.parse(text) as object), receivedAt });
}
