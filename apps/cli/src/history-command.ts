import type { AlmaClient } from "@alma/client";
import { EXIT_OK, type CliIo } from "./cli-io.js";
import type { CliCommand } from "./parse-cli-args.js";

export async function historyCommand(client: AlmaClient, command: Extract<CliCommand, { command: "history" }>, io: CliIo): Promise<number> {
  const result = await client.history(command.conversationId);
  if (command.json) return EXIT_OK;
  io.stdout.write(`# ${result.conversation.title} (${result.conversation.id})\n`);
  for (const fact of result.pinnedFacts) io.stdout.write(`📌 ${fact.text}\n`);
  for (const message of result.messages) {
    const status = message.status === "complete" ? "" : ` [${message.status}]`;
    io.stdout.write(`\n${message.role}${status}:\n${message.content}\n`);
    for (const file of message.attachments ?? []) io.stdout.write(`📎 ${file.name} (${file.kind}${file.pages === null ? "" : `, ${file.pages} pages`})\n`);
  }
  if (result.activeRun) io.stdout.write(`\n(a run is still generating: ${result.activeRun.runId})\n`);
  return EXIT_OK;
}
