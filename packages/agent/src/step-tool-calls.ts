import type { ToolCall } from "@alma/llm";
import type { ToolCallResult, ToolErrorInfo, ToolRegistry } from "@alma/tools";
import { ToolSpan } from "./gen-ai-telemetry.js";
import type { RunScope } from "./run-scope.js";

/** what run.tool.* events carry of a call's arguments and result: enough to read, never a whole document */
export const TOOL_EVENT_MAX_CHARS = 2_000;

export function cutForEvent(text: string): string {
  return text.length <= TOOL_EVENT_MAX_CHARS ? text : `${text.slice(0, TOOL_EVENT_MAX_CHARS - 1)}…`;
}

export interface StepToolCaller {
  callTool(tools: ToolRegistry, call: ToolCall): Promise<ToolCallResult>;
  rejectToolCall(call: ToolCall, error: ToolErrorInfo): void;
}

/**
 * A step's tool calls, as the run shows them: run.tool.started before, run.tool.completed after (the text the model
 * reads back, or the error), each traced as `execute_tool {tool}` under the step's span, bounded by the step's signal
 * (Stop aborts a running tool).
 */
export function stepToolCaller(scope: RunScope, step: { stepId: string; agent: string; signal: AbortSignal }): StepToolCaller {
  const { stepId, agent, signal } = step;
  const started = (call: ToolCall) =>
    scope.emit({ type: "run.tool.started", stepId, agent, callId: call.id, tool: call.name, arguments: cutForEvent(call.arguments) });
  return {
    async callTool(tools, call) {
      started(call);
      const span = new ToolSpan({ tool: call.name, callId: call.id, agent, stepId });
      const result = await tools.callTool(call.name, call.arguments, { signal });
      span.end(result.ok ? { ok: true } : { ok: false, error: result.error });
      scope.emit({
        type: "run.tool.completed",
        stepId,
        agent,
        callId: call.id,
        tool: call.name,
        ok: result.ok,
        result: result.ok ? cutForEvent(result.toModelText()) : null,
        error: result.ok ? null : { code: result.error.code, message: result.error.message },
        durationMs: Math.max(0, result.durationMs),
      });
      return result;
    },
    rejectToolCall(call, error) {
      started(call);
      new ToolSpan({ tool: call.name, callId: call.id, agent, stepId }).end({ ok: false, error });
      scope.emit({ type: "run.tool.completed", stepId, agent, callId: call.id, tool: call.name, ok: false, result: null, error, durationMs: 0 });
    },
  };
}
