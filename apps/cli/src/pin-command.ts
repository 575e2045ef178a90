import type { AlmaClient } from "@alma/client";
import { EXIT_OK, type CliIo } from "./cli-io.js";
import type { CliCommand } from "./parse-cli-args.js";

export async function pinCommand(client: AlmaClient, command: Extract<CliCommand, { command: "pin" }>, io: CliIo): Promise<number> {
  const result = await client.pin(command.conversationId, { text: command.fact });
  if (!command.json) {
    io.stdout.write(`Pinned. Conversation ${result.conversationId} has ${result.pinnedFacts.length} pinned fact(s):\n`);
    for (const fact of result.pinnedFacts) io.stdout.write(`  - ${fact.text}\n`);
  }
  return EXIT_OK;
}
