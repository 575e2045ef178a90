import type { AlmaClient } from "@alma/client";
import { applyRunEvent, createRunState, type ModelStatus, type RunState } from "@alma/protocol";
import { EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, type CliIo } from "./cli-io.js";
import { modelSetupHints } from "./describe-failure.js";
import type { AskCommand } from "./parse-cli-args.js";
import { runChanges, type RunChange } from "./run-changes.js";

/**
 * Sends the question and prints the run as it streams: the answer's tokens, or for an analytical run the
 * plan, each step's heading and tokens, then the synthesis. Progress goes to stderr, and only on a terminal.
 */
export async function askCommand(client: AlmaClient, command: AskCommand & { question: string }, io: CliIo, model: ModelStatus | null): Promise<number> {
  const text = !command.json;
  const progress = text && io.stderr.isTTY === true;
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
    if (progress) io.stderr.write(`${line}\n`);
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
  });

  const interrupt = () => handle.stop();
  io.signal?.addEventListener("abort", interrupt, { once: true });
  try {
    return await follow();
  } catch (error) {
    // the error message goes to stderr, often the same terminal: it must not continue the answer's last line
    newline();
    throw error;
  } finally {
    io.signal?.removeEventListener("abort", interrupt);
  }

  async function follow(): Promise<number> {
    // every event through the protocol's one fold; what is printed is what each event changed in the run's state
    let state: RunState | null = null;
    let planned = false;
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
          // the plan grows while the planner writes: each step is printed once, when it first appears
          newline();
          if (!planned) out("Plan:\n");
          planned = true;
          for (const step of change.steps) out(`  ${step.number}. ${step.title}\n`);
          break;
        case "step.started":
          newline();
          out(`\n## Step ${change.number}: ${change.title}\n`);
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
          if (change.tokens === command.stopAfter) handle.stop();
          break;
      }
    }

    const done = await handle.done;
    newline();
    if (done.type === "run.error") {
      const kept = done.partial ? ` The partial answer is kept in conversation ${done.conversationId}.` : "";
      io.stderr.write(`alma: ${done.message}${kept}\n`);
      if (done.code === "model_not_ready") io.stderr.write(`${modelSetupHints(model)}\n`);
      return EXIT_ERROR;
    }
    const m = done.metrics;
    const speed = m.tokensPerSecond === null ? "" : `, ${m.tokensPerSecond.toFixed(1)} tok/s`;
    const ttft = m.firstTokenMs === null ? "" : `, first token ${Math.round(m.firstTokenMs)} ms`;
    note(`· ${done.finishReason} · ${done.usage.completionTokens} tokens in ${Math.round(m.totalMs)} ms${ttft}${speed}${done.cacheHit ? " · cached" : ""}`);
    note(`· continue with --conversation ${done.conversationId}`);
    if (io.signal?.aborted) {
      io.stderr.write(`alma: stopped; the partial answer is kept in conversation ${done.conversationId}.\n`);
      return EXIT_INTERRUPTED;
    }
    return EXIT_OK;
  }
}
