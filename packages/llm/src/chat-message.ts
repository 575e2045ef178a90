/** A message as sent to a model. Tool calls are carried so token counting and trimming keep call/result pairs whole. */
export interface ToolCall {
  id: string;
  name: string;
  /** JSON text of the arguments, as the model produced it */
  arguments: string;
}

export type ChatMessage =
  | { role: "system"; content: string; name?: string }
  | { role: "user"; content: string; name?: string }
  | { role: "assistant"; content: string; name?: string; toolCalls?: ToolCall[] }
  | { role: "tool"; content: string; toolCallId: string };

export type ChatRole = ChatMessage["role"];
