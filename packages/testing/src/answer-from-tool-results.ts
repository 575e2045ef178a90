import type { FakeToolResult } from "./fake-handler.js";

const CALCULATOR_RESULT = /^Result: (.+?)(?: \(rounded: .+\))?$/m;
const SEARCH_HEADER = /^\d+ passages? for "(.*)", best first\./;
const QUOTE = /^\[1\] \(([^)\n]+)\)\n([\s\S]*?)(?:\n\n\[2\] \(|$)/m;

/** true for a result that reports a failure: the registry's "Error (code): …", or a JSON object with an `error` */
export function isErrorResult(content: string): boolean {
  const text = content.trim();
  if (/^error\b/i.test(text)) return true;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null && "error" in value;
  } catch {
    return false;
  }
}

/**
 * What a model answers once its tools answered: the calculator's value ("The result is 1798.65."), the first
 * quote of a search with its place ("… (from report.txt, page 170)"), or that the tool failed, with its error.
 */
export function answerFromToolResults(results: readonly FakeToolResult[]): string {
  return results.map(answerFromResult).join("\n\n");
}

function answerFromResult(result: FakeToolResult): string {
  const tool = result.name ?? "tool";
  const content = result.content.trim();
  if (isErrorResult(content)) return `The ${tool} tool failed: ${content}`;
  const value = CALCULATOR_RESULT.exec(content);
  if (value) return `The result is ${value[1]}.`;
  const searched = SEARCH_HEADER.exec(content);
  if (searched) return answerFromQuotes(content, searched[1] ?? "");
  if (/^No passage of the attached documents/.test(content)) return `The documents do not say: ${content}`;
  return `The ${tool} tool returned: ${content}`;
}

/** quotes the sentence of the best passage that shares most words with the query, and where it is */
function answerFromQuotes(content: string, query: string): string {
  const quote = QUOTE.exec(content);
  if (!quote) return `The search found: ${content}`;
  const [, place, passage] = quote;
  const sentence = bestSentence(passage!.trim(), query);
  return `According to the documents, "${sentence}" (from ${place}).`;
}

function bestSentence(passage: string, query: string): string {
  const sentences = passage.match(/[^.!?]+[.!?]*/g)?.map((s) => s.trim()) ?? [passage];
  const wanted = new Set(query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  let best = sentences[0] ?? passage;
  let bestScore = -1;
  for (const sentence of sentences) {
    const words = new Set(sentence.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
    const score = [...wanted].filter((w) => words.has(w)).length;
    if (score > bestScore) {
      best = sentence;
      bestScore = score;
    }
  }
  return best.length > 400 ? `${best.slice(0, 400).replace(/\s+\S*$/, "")}…` : best;
}
