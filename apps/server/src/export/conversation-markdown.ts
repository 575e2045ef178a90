import { type Attachment, formatUsd, isReviewStep, type Message, type StepRecord, type ToolCallRecord } from "@alma/protocol";
import { formatBytes } from "@alma/tools";
import { answerTokens, type ConversationExport, type ExportedMessage } from "./conversation-export.js";

const ROLE: Record<Message["role"], string> = { user: "You", assistant: "alma", system: "System" };

/** "2026-12-01 14:03 UTC" */
function when(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

const count = (n: number) => n.toLocaleString("en-US");

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** the answer's figures in one line: time to first token, total, tokens in/out, tok/s, cost */
export function figuresLine(m: ExportedMessage): string | null {
  const metrics = m.metrics;
  if (!metrics) return null;
  const tokens = answerTokens(m);
  const parts = [
    `time to first token ${metrics.firstTokenMs === null ? "–" : seconds(metrics.firstTokenMs)}`,
    `total ${seconds(metrics.totalMs)}`,
    `${count(tokens.promptTokens)} tokens in / ${count(tokens.completionTokens)} out`,
    `${metrics.tokensPerSecond === null ? "–" : metrics.tokensPerSecond.toFixed(1)} tok/s`,
    m.costUsd === null ? "cost unknown" : formatUsd(m.costUsd),
  ];
  const model = `${metrics.model}${metrics.cacheHit ? ", from the cache" : ""}`;
  return `_${parts.join(" · ")} · ${model}_`;
}

/** how an answer ended when it did not end on its own */
function endNote(m: Message): string | null {
  const reason = m.error ? `: ${m.error.message}` : "";
  switch (m.status) {
    case "streaming":
      return "_(still being written when exported)_";
    case "stopped":
      return "_(stopped before the end)_";
    case "failed":
      return `_(failed${reason})_`;
    case "interrupted":
      return "_(interrupted: the server went down while writing it)_";
    default:
      return m.finishReason === "length" ? "_(cut at its length limit)_" : m.finishReason === "deadline" ? "_(cut at the run's deadline)_" : null;
  }
}

/** a fenced block that holds `text` whatever backticks it has (a fence longer than its longest run) */
function fenced(text: string, lang = ""): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}

/** a tool call as the step made it: the tool, how it ended, what it was given and what it gave */
function toolCallSection(call: ToolCallRecord): string {
  const ended = call.status === "running" ? "still running" : call.status === "ok" ? "ok" : "failed";
  const took = call.durationMs === null ? "" : `, ${call.durationMs < 1000 ? `${Math.round(call.durationMs)} ms` : seconds(call.durationMs)}`;
  let args = call.arguments;
  let lang = "json";
  try {
    // the calculator's code reads as code, not as a JSON string with escaped newlines
    const parsed = JSON.parse(call.arguments) as unknown;
    if (parsed && typeof parsed === "object" && typeof (parsed as { code?: unknown }).code === "string" && Object.keys(parsed).length === 1) {
      args = (parsed as { code: string }).code;
      lang = "js";
    }
  } catch {
    lang = "";
  }
  const parts = [`**Tool \`${call.tool}\`** _(${ended}${took})_`, fenced(args, lang)];
  if (call.result !== null) parts.push(`Result:\n\n${fenced(call.result)}`);
  if (call.error) parts.push(`Error: ${call.error.message}`);
  return parts.join("\n\n");
}

/** a plan step, numbered, or (`index` null) the reviewer's pass after the answer */
function stepSection(step: StepRecord, index: number | null): string {
  const status = step.status === "complete" ? "" : ` _(${step.status}${step.note ? `: ${step.note}` : ""})_`;
  const tools = (step.tools ?? []).map(toolCallSection);
  const heading = index === null ? "### Review" : `### Step ${index + 1}: ${step.title}`;
  return [`${heading}${status}`, ...tools, step.text.trim() || "_(no text)_"].join("\n\n");
}

const KIND: Record<Attachment["kind"], string> = { text: "text", markdown: "Markdown", csv: "CSV", json: "JSON", pdf: "PDF" };

/** the files a message was sent with, in one line: names, kinds and sizes (the texts stay out of the transcript) */
export function attachmentsLine(attachments: readonly Attachment[]): string | null {
  if (attachments.length === 0) return null;
  const items = attachments.map((a) => {
    const pages = a.pages === null ? "" : `, ${a.pages} page${a.pages === 1 ? "" : "s"}`;
    return `📎 ${a.name.replace(/([\\`*_[\]])/g, "\\$1")} (${KIND[a.kind]}${pages}, ${formatBytes(a.bytes)})`;
  });
  return `_Attached: ${items.join(" · ")}_`;
}

function messageSection(m: ExportedMessage): string {
  const kind = m.role === "assistant" && m.taskType ? ` · ${m.taskType}` : "";
  const parts = [`## ${ROLE[m.role]}${kind} · ${when(m.createdAt)}`];
  const steps = m.steps ?? [];
  if (steps.length > 0) {
    // the review checks the answer: it reads after it, unnumbered, as the web app shows it
    parts.push(...steps.filter((s) => !isReviewStep(s)).map((s, i) => stepSection(s, i)));
    parts.push(`### Answer\n\n${m.content.trim() || "_(no text)_"}`);
    parts.push(...steps.filter(isReviewStep).map((s) => stepSection(s, null)));
  } else {
    parts.push(m.content.trim() || "_(no text)_");
  }
  const files = attachmentsLine(m.attachments ?? []);
  if (files) parts.push(files);
  const note = m.role === "assistant" ? endNote(m) : null;
  if (note) parts.push(note);
  const figures = m.role === "assistant" ? figuresLine(m) : null;
  if (figures) parts.push(figures);
  return parts.join("\n\n");
}

/**
 * A readable transcript: the title, one line of totals, each message with its role and time, an analytical
 * answer's steps as sections before the answer, and a line of figures under each answer.
 */
export function renderConversationMarkdown(e: ConversationExport): string {
  const { totals } = e;
  const summary = [
    `Exported from alma on ${when(Date.parse(e.exportedAt))}`,
    `${e.messages.length} message${e.messages.length === 1 ? "" : "s"}`,
    `${count(totals.promptTokens)} tokens in / ${count(totals.completionTokens)} out`,
    totals.costUsd === null ? "cost unknown" : `cost ${formatUsd(totals.costUsd)}`,
  ].join(" · ");
  const head = [`# ${e.conversation.title.trim() || "Untitled conversation"}`, `_${summary}_`];
  if (e.pinnedFacts.length > 0) head.push(`**Pinned facts**\n\n${e.pinnedFacts.map((f) => `- ${f.text}`).join("\n")}`);
  return `${[head.join("\n\n"), ...e.messages.map(messageSection)].join("\n\n---\n\n")}\n`;
}
