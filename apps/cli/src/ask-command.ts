import type { AlmaClient } from "@alma/client";
import { applyRunEvent, createRunState, type ModelStatus, type RunState } from "@alma/protocol";
import { EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, type CliIo } from "./cli-io.js";
import { describeFailure, modelSetupHints } from "./describe-failure.js";
import type { AskCommand } from "./parse-cli-args.js";
import { runChanges, type RunChange } from "./run-changes.js";
import { runErrorLine } from "./run-error-line.js";

/** The last line an ask writes to stderr, whatever the outcome, once the run's conversation is known. */
export function conversationLine(conversationId: string): string {
  return `alma: conversation ${conversationId} (continue with --conversation ${conversationId})`;
}

/**
 * Sends the question and prints the run as it streams: the answer's tokens, or for an analytical run the
 * plan, each step's heading and tokens, then the synthesis. Progress goes to stderr, and only while a person
 * watches (stdout is a terminal): piped output leaves stderr to what went wrong and the conversation line.
 */
export async function askCommand(
  client: AlmaClient,
  command: AskCommand & { question: string; attachmentIds?: readonly string[] },
  io: CliIo,
  model: ModelStatus | null,
): Promise<number> {
  const text = !command.json;
  const progress = text && io.stdout.isTTY === true;
  let atLineStart = true;
  const out = (chunk: string) => {
    if (!text || chunk === "") return;
    io.stdout.write(chunk);
    atLineStart = chunk.endsWith("\n");
  };
  const newline = () => {
    if (!atLineStart) out("\n");
  };
  const note = (line: string) => {
    if (!progress) return;
    // stdout is a terminal, most often stderr's too: a progress line must not continue the answer's last line
    newline();
    io.stderr.write(`${line}\n`);
  };

  // an abort listener added to a signal that already fired never runs: a Ctrl-C while the question was read
  // or the connection opened must not start a run nobody can stop
  if (io.signal?.aborted) {
    io.stderr.write("alma: interrupted before the question was sent; nothing was asked.\n");
    return EXIT_INTERRUPTED;
  }

  const handle = client.send(command.question, {
    conversationId: command.conversationId ?? null,
    options: { taskType: command.taskType, bypassCache: command.bypassCache },
    ...(command.attachmentIds?.length ? { attachmentIds: command.attachmentIds } : {}),
  });

  // the conversation is known from the server's acknowledgement (or run.started): said last, however the ask ends
  let conversationId: string | null = null;
  void handle.accepted.then(
    (accepted) => {
      conversationId ??= accepted?.conversationId ?? null;
    },
    () => undefined,
  );
  const interrupt = () => handle.stop();
  io.signal?.addEventListener("abort", interrupt, { once: true });
  let code: number;
  try {
    code = await follow();
  } catch (error) {
    // the error message goes to stderr, often the same terminal: it must not continue the answer's last line
    newline();
    const failure = describeFailure(error, command.server, model);
    io.stderr.write(`${failure.message}\n`);
    code = failure.exitCode;
  } finally {
    io.signal?.removeEventListener("abort", interrupt);
  }
  conversationId ??= handle.state?.conversationId ?? null;
  if (conversationId !== null) io.stderr.write(`${conversationLine(conversationId)}\n`);
  return code;

  async function follow(): Promise<number> {
    // every event through the protocol's one fold; what is printed is what each event changed in the run's state
    let state: RunState | null = null;
    let stoppedAfter: number | null = null;
    let planned = false;
    let stepsBegan = false;
    let answerHeading = false;
    for await (const event of handle) {
      const prev: RunState = state ?? createRunState({ runId: event.runId });
      state = applyRunEvent(prev, event);
      for (const change of runChanges(prev, state)) print(change);
    }

    function print(change: RunChange): void {
      switch (change.kind) {
        case "started":
          note(`· ${change.taskType} · ${change.provider}/${change.model} · conversation ${change.conversationId}`);
          break;
        case "progress":
          note(`· ${change.label}`);
          break;
        case "planned":
          // the plan grows while the planner writes: each step is listed once, when it first appears; one planned
          // after the steps began output gets its heading when it starts, not a plan line amid a step's text
          if (stepsBegan) {
            for (const step of change.steps) note(`· planned step ${step.number}: ${step.title}`);
            break;
          }
          newline();
          if (!planned) out("Plan:\n");
          planned = true;
          for (const step of change.steps) out(`  ${step.number}. ${step.title}\n`);
          break;
        case "tool.started":
          note(`· step ${change.stepNumber}: calling ${change.tool}`);
          break;
        case "tool.ended": {
          // a call's outcome is part of the step's record, so it is printed with the step, on one line
          const took = change.durationMs === null ? "" : ` (${formatToolDuration(change.durationMs)})`;
          const said = change.text.replace(/\s+/g, " ").trim();
          const short = said.length > 200 ? `${said.slice(0, 199)}…` : said;
          newline();
          out(`> ${change.tool} ${change.ok ? "→" : "failed:"} ${short}${took}\n`);
          break;
        }
        case "step.started":
          stepsBegan = true;
          newline();
          out(change.review ? "\n## Review\n" : `\n## Step ${change.number}: ${change.title}\n`);
          break;
        case "step.ended":
          if (change.status !== "complete") {
            newline();
            out(`(step ${change.status}${change.note ? `: ${change.note}` : ""})\n`);
          }
          break;
        case "text":
          // the server stops within a token or so; print exactly the N the user asked for
          if (command.stopAfter !== undefined && change.tokens > command.stopAfter) break;
          if (change.stepNumber === null && change.text !== "" && planned && !answerHeading) {
            answerHeading = true;
            newline();
            out("\n## Answer\n");
          }
          out(change.text);
          if (change.tokens === command.stopAfter) {
            stoppedAfter = change.tokens;
            handle.stop();
          }
          break;
      }
    }

    const done = await handle.done;
    newline();
    conversationId = done.conversationId;
    if (done.type === "run.error") {
      io.stderr.write(`${runErrorLine(done.message, done.partial)}\n`);
      if (done.code === "model_not_ready") io.stderr.write(`${modelSetupHints(model)}\n`);
      return EXIT_ERROR;
    }
    const m = done.metrics;
    const speed = m.tokensPerSecond === null ? "" : `, ${m.tokensPerSecond.toFixed(1)} tok/s`;
    const ttft = m.firstTokenMs === null ? "" : `, first token ${Math.round(m.firstTokenMs)} ms`;
    note(`· ${done.finishReason} · ${done.usage.completionTokens} tokens in ${Math.round(m.totalMs)} ms${ttft}${speed}${done.cacheHit ? " · cached" : ""}`);
    if (io.signal?.aborted) {
      io.stderr.write("alma: stopped; the partial answer is kept.\n");
      return EXIT_INTERRUPTED;
    }
    // the run ended because --stop-after asked it to, not on its own: say so (it is what the user asked for: exit 0)
    if (stoppedAfter !== null && done.finishReason === "stopped") {
      io.stderr.write(`alma: stopped after ${stoppedAfter} tokens (--stop-after); the partial answer is kept.\n`);
    }
    // a cut answer looks whole in a pipe: say it was cut, and where it can go on
    if (done.finishReason === "length") {
      io.stderr.write(
        `alma: the answer was cut at the length limit after ${done.usage.completionTokens} tokens; it is kept, and Continue in the web app goes on from it.\n`,
      );
    }
    return EXIT_OK;
  }
}

function formatToolDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
