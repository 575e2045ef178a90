import type { ChatMessage } from "@alma/llm";
import type { WorkerContext } from "./worker-agent.js";

export const CUT_TO_FIT_NOTE = "\n… [cut to fit the model's context window]";

/**
 * A tool's result as long as the next request can carry it: counted the way the run's requests are, cut (with a
 * note the model reads) so the request with it still leaves `answerRoom` tokens for the reply. A long result
 * never makes a request exceed the window.
 */
export async function fitToolResult(
  ctx: Pick<WorkerContext, "room" | "measure">,
  text: string,
  request: (content: string) => (context: ChatMessage[]) => ChatMessage[],
  answerRoom: number,
): Promise<string> {
  const free = (await ctx.room(request(text))) - answerRoom;
  if (free >= 0) return text;
  const tokens = await ctx.measure.countText(text);
  const keep = Math.max(0, tokens + free - (await ctx.measure.countText(CUT_TO_FIT_NOTE)));
  const cut = keep > 0 ? await ctx.measure.truncate(text, keep) : "";
  return cut + CUT_TO_FIT_NOTE;
}
