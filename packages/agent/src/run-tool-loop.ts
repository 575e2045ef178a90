import { isLlmError, type ChatMessage, type ModelTool, type ToolCall } from "@alma/llm";
import { jsonToolInstructions, jsonToolResultMessage, parseJsonToolCall, type ToolRegistry } from "@alma/tools";
import { JsonCallStreamFilter } from "./json-call-stream-filter.js";
import type { GenerationOutcome } from "./stream-generation.js";
import { fitToolResult } from "./fit-tool-result.js";
import type { WorkerContext, WorkerResult } from "./worker-agent.js";

/** model requests that may call tools; one more, without tools, answers when they are used up */
export const MAX_TOOL_ROUNDS = 4;
/** calls one reply may make; more are refused with a message, so a runaway model cannot fan out */
export const MAX_CALLS_PER_ROUND = 4;
/** below this much of the step's budget another round would say nothing */
const MIN_ROUND_TOKENS = 24;

export const FINAL_ROUND_INSTRUCTION = "You have used the tools as often as this step allows. Answer now from the results above, without calling a tool.";

export interface ToolLoopOptions {
  /** the step's request (system prompt first, its instruction last) over the run's context */
  build: (context: ChatMessage[]) => ChatMessage[];
  tools: ToolRegistry;
  temperature: number;
  maxRounds?: number;
}

export interface ToolLoopResult extends WorkerResult {
  /** the tool calls made and how many gave a result */
  calls: number;
  okCalls: number;
}

/** Is this the server refusing `tools` (a model or server without function calling)? */
export function isToolsRefused(err: unknown): boolean {
  return isLlmError(err) && (err as { toolsRefused?: boolean }).toolsRefused === true;
}

/**
 * A step's request with tools: the model's calls run through the registry (never throwing), their results go
 * back to it, and it is asked again, at most `maxRounds` times; then once more without tools. Every round's
 * output counts against the step's budget, and each result is cut to what the window leaves. A model without
 * function calling (or a server that refuses `tools`) gets the same tools through the JSON convention, its
 * calls hidden from the stream. Provider failures are thrown, as every worker's are.
 */
export async function runToolLoop(ctx: WorkerContext, o: ToolLoopOptions): Promise<ToolLoopResult> {
  const maxRounds = o.maxRounds ?? MAX_TOOL_ROUNDS;
  const names = o.tools.names();
  const openai = o.tools.toOpenAITools();
  const modelTools: ModelTool[] = openai.map((t) => ({ name: t.function.name, description: t.function.description, parameters: t.function.parameters }));
  let native = ctx.supportsTools();
  let refusedNote: string | null = null;
  const transcript: ChatMessage[] = [];
  const texts: string[] = [];
  let used = 0;
  let promptTokens = 0;
  let reported = true;
  let calls = 0;
  let okCalls = 0;
  let lastError: string | null = null;
  let rounds = 0;
  let emittedAny = false;
  let finish: WorkerResult["finishReason"] = "stop";

  for (;;) {
    const left = ctx.budget - used;
    if (left < MIN_ROUND_TOKENS && rounds > 0) {
      finish = "length";
      break;
    }
    const last = rounds >= maxRounds;
    const json = !native;
    const build = (context: ChatMessage[]): ChatMessage[] => {
      const base = o.build(context);
      const messages = json ? withJsonConvention(base, jsonToolInstructions(openai)) : base;
      return last ? [...messages, ...transcript, { role: "user", content: FINAL_ROUND_INSTRUCTION }] : [...messages, ...transcript];
    };
    // rounds read as paragraphs of one text: "Let me compute that." then the answer
    let roundStarted = false;
    const emit = (t: string) => {
      if (!roundStarted && emittedAny) {
        const tail = texts.join("");
        const gap = tail.endsWith("\n\n") ? "" : tail.endsWith("\n") ? "\n" : "\n\n";
        if (gap) {
          texts.push(gap);
          ctx.emitToken(gap);
        }
      }
      roundStarted = true;
      emittedAny = true;
      texts.push(t);
      ctx.emitToken(t);
    };
    const filter = json ? new JsonCallStreamFilter(emit) : null;
    const out: GenerationOutcome = await ctx.generate(build, {
      temperature: o.temperature,
      onDelta: filter ? filter.push : emit,
      budget: Math.max(1, left),
      ...(native && !last ? { tools: modelTools } : {}),
    });
    used += out.completionTokens;
    promptTokens += out.promptTokens;
    reported &&= out.reported;
    if (out.finishReason === "error" && out.error) {
      // a server without function calling: the same tools through the JSON convention, this round again
      if (native && out.deltas.length === 0 && isToolsRefused(out.error)) {
        native = false;
        refusedNote = "the model's server refused function calling, so the tools were offered as JSON instructions";
        continue;
      }
      throw out.error;
    }
    rounds++;
    if (out.finishReason === "aborted" || out.finishReason === "length" || out.finishReason === "content_filter") {
      filter?.end(null);
      finish = out.finishReason === "content_filter" ? "content_filter" : out.finishReason;
      break;
    }

    const pending: ToolCall[] = [];
    if (native) {
      if (out.toolCalls.length === 0 || last) break;
      transcript.push({ role: "assistant", content: out.text, toolCalls: out.toolCalls });
      pending.push(...out.toolCalls);
    } else {
      const parsed = parseJsonToolCall(out.text, { toolNames: names });
      filter!.end(parsed.status === "call" ? parsed.start : null);
      if (parsed.status === "none" || last) break;
      transcript.push({ role: "assistant", content: out.text });
      const callId = `${ctx.stepId}-json-${rounds}`;
      if (parsed.status === "invalid") {
        const call = { id: callId, name: jsonCallName(out.text), arguments: out.text.slice(0, 2_000) };
        ctx.rejectToolCall(call, parsed.error);
        calls++;
        lastError = parsed.error.message;
        transcript.push({ role: "user", content: jsonToolResultMessage(call.name, `Error (${parsed.error.code}): ${parsed.error.message}`) });
        continue;
      }
      if (parsed.status !== "call") break;
      pending.push({ id: callId, name: parsed.tool, arguments: JSON.stringify(parsed.arguments) });
    }

    for (const [i, call] of pending.entries()) {
      calls++;
      const answerRoom = Math.min(ctx.budget - used, 256);
      let text: string;
      if (i >= MAX_CALLS_PER_ROUND) {
        const error = {
          code: "too_many_calls",
          message: `At most ${MAX_CALLS_PER_ROUND} tool calls per reply; this one was not run. Call it again if you still need it.`,
        };
        ctx.rejectToolCall(call, error);
        text = `Error (${error.code}): ${error.message}`;
      } else {
        const result = await ctx.callTool(o.tools, call);
        if (result.ok) okCalls++;
        else lastError = result.error.message;
        text = result.toModelText();
      }
      const reply = (content: string): ChatMessage =>
        native ? { role: "tool", toolCallId: call.id, content } : { role: "user", content: jsonToolResultMessage(call.name, content) };
      const fitted = await fitToolResult(ctx, text, (content) => (context) => [...build(context), reply(content)], answerRoom);
      transcript.push(reply(fitted));
    }
    if (ctx.signal.aborted) {
      finish = "aborted";
      break;
    }
  }

  return {
    text: texts.join(""),
    finishReason: finish,
    completionTokens: used,
    promptTokens,
    reported,
    note: loopNote({ calls, okCalls, lastError, refusedNote, names }),
    calls,
    okCalls,
  };
}

/** The step's note when its tools gave nothing: what went wrong, and that it answered without them. */
function loopNote(s: { calls: number; okCalls: number; lastError: string | null; refusedNote: string | null; names: string[] }): string | null {
  const tools = s.names.join(", ");
  if (s.calls > 0 && s.okCalls === 0) return `${tools} gave no result (${s.lastError ?? "every call failed"}); answered without it`;
  if (s.calls === 0 && s.refusedNote) return `${tools} was not available: ${s.refusedNote} and the model did not use them; answered without it`;
  return null;
}

/** The JSON convention's instructions appended to the request's first system prompt (or as one, when it has none). */
function withJsonConvention(messages: ChatMessage[], instructions: string): ChatMessage[] {
  const i = messages.findIndex((m) => m.role === "system");
  if (i < 0) return [{ role: "system", content: instructions }, ...messages];
  return messages.map((m, j) => (j === i ? { ...m, content: `${m.content}\n\n${instructions}` } : m));
}

/** the tool an unreadable call meant, for the event the user sees */
function jsonCallName(text: string): string {
  return /"(?:tool|name)"\s*:\s*"([A-Za-z0-9_-]{1,64})"/.exec(text)?.[1] ?? "tool_call";
}
