import type { AlmaClient } from "@alma/client";
import { EXIT_OK, type CliIo } from "./cli-io.js";
import type { CliCommand } from "./parse-cli-args.js";

export async function listCommand(client: AlmaClient, command: Extract<CliCommand, { command: "list" }>, io: CliIo): Promise<number> {
  const conversations = await client.listConversations();
  if (command.json) return EXIT_OK;
  if (conversations.length === 0) io.stdout.write('No conversations yet. Start one with: alma ask "question"\n');
  for (const c of conversations) io.stdout.write(`${c.id}  ${new Date(c.updatedAt).toISOString()}  ${c.title}\n`);
  return EXIT_OK;
}
