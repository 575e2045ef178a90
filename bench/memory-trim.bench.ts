import { pathToFileURL } from "node:url";
import { AIMessage, HumanMessage, SystemMessage, trimMessages, type BaseMessage } from "@langchain/core/messages";
import { MessageCountCache, buildContext, computeBudget, createOpenAITokenCounter, type ContextMessage } from "@alma/memory";
import type { ChatMessage } from "@alma/llm";
import { makeConversation } from "./memory/make-conversation.js";
import { formatNumber, formatSummary, median, summarize, type Summary } from "./lib/stats.js";
import { renderTable, type BenchTable } from "./lib/print-table.js";

/**
 * Benchmark: building one model request from a long conversation, incrementally (one new user
 * message per call), alma's `buildContext` (per-message count cache, one newest→oldest walk) against
 * LangChain.js `trimMessages` (strategy "last", includeSystem, startOn "human"), both with the same
 * o200k_base counts and OpenAI framing and the same budget. LangChain gets a per-message count
 * memoized by message object, the most favourable setup for it (without it, it re-tokenizes the
 * list on each of its steps). Allocation is the heap growth during a call (process.memoryUsage;
 * run with `node --expose-gc --import tsx` to collect garbage before each call for cleaner figures).
 */
export interface MemoryBenchResult {
  messages: number;
  callsPerRound: number;
  rounds: number;
  promptBudget: number;
  alma: { msPerCall: Summary; kbPerCall: Summary; coldMs: Summary };
  langchain: { msPerCall: Summary; kbPerCall: Summary };
  speedup: number;
  keptMessages: number;
  identicalKeptSets: boolean;
  table: BenchTable;
}

const counter = createOpenAITokenCounter("gpt-4o");
const SYSTEM = "You are alma, a helpful assistant. Answer briefly and cite what you used.";

function toLangChain(m: ChatMessage & { id?: string }): BaseMessage {
  const fields = { content: m.content, id: m.id };
  if (m.role === "user") return new HumanMessage(fields);
  if (m.role === "assistant") return new AIMessage(fields);
  return new SystemMessage(fields);
}

const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => process.memoryUsage().heapUsed;

export async function runMemoryBench(options: { quick?: boolean } = {}): Promise<MemoryBenchResult> {
  const quick = options.quick ?? false;
  const size = quick ? 1_000 : 10_000;
  const calls = quick ? 5 : 10;
  const rounds = quick ? 3 : 5;
  const budget = computeBudget({ contextWindow: quick ? 16_384 : 128_000, outputBudget: 4_096 });
  const B = budget.promptBudget;

  // LangChain's counter: the same framing (3 + role + content per message), memoized per message object
  const memo = new WeakMap<BaseMessage, number>();
  const role = (m: BaseMessage) => (m._getType() === "human" ? "user" : m._getType() === "ai" ? "assistant" : "system");
  const lcCount = (msgs: BaseMessage[]) => {
    let total = 0;
    for (const m of msgs) {
      let c = memo.get(m);
      if (c === undefined) {
        c = counter.countMessage({ role: role(m), content: m.content as string } as ChatMessage) as number;
        memo.set(m, c);
      }
      total += c;
    }
    return total;
  };

  const almaMs: number[] = [];
  const almaKb: number[] = [];
  const coldMs: number[] = [];
  const lcMs: number[] = [];
  const lcKb: number[] = [];
  let identical = true;
  let kept = 0;

  for (let round = 0; round < rounds; round++) {
    const base = makeConversation(size, 42 + round);
    const extra = makeConversation(calls + 1, 1_000 + round).map((m, i) => ({ ...m, id: `new${i}`, role: "user" as const }));
    const cache = new MessageCountCache();
    const conv: ContextMessage[] = [...base.slice(0, -1), extra[0]!];
    const lcConv: BaseMessage[] = [new SystemMessage({ content: SYSTEM, id: "system" }), ...conv.map(toLangChain)];

    let t = performance.now();
    await buildContext({ system: SYSTEM, messages: conv, budget, counter, cache });
    coldMs.push(performance.now() - t);
    await trimMessages(lcConv, { strategy: "last", maxTokens: B - counter.replyPriming, tokenCounter: lcCount, includeSystem: true, startOn: "human" });

    const a: number[] = [];
    const ak: number[] = [];
    const l: number[] = [];
    const lk: number[] = [];
    for (let k = 1; k <= calls; k++) {
      const next = extra[k]!;
      conv.push(next);
      lcConv.push(toLangChain(next));

      gc?.();
      let h = heap();
      t = performance.now();
      const ours = await buildContext({ system: SYSTEM, messages: conv, budget, counter, cache });
      a.push(performance.now() - t);
      const dA = heap() - h;
      if (dA >= 0) ak.push(dA / 1024);

      gc?.();
      h = heap();
      t = performance.now();
      const theirs = await trimMessages(lcConv, {
        strategy: "last",
        maxTokens: B - counter.replyPriming,
        tokenCounter: lcCount,
        includeSystem: true,
        startOn: "human",
      });
      l.push(performance.now() - t);
      const dL = heap() - h;
      if (dL >= 0) lk.push(dL / 1024);

      const oursIds = (ours.messages.slice(1) as ContextMessage[]).map((m) => m.id).join(",");
      const theirIds = theirs
        .slice(1)
        .map((m) => m.id)
        .join(",");
      if (oursIds !== theirIds) identical = false;
      kept = ours.messages.length - 1;
    }
    almaMs.push(median(a));
    almaKb.push(median(ak));
    lcMs.push(median(l));
    lcKb.push(median(lk));
  }

  const alma = { msPerCall: summarize(almaMs), kbPerCall: summarize(almaKb), coldMs: summarize(coldMs) };
  const langchain = { msPerCall: summarize(lcMs), kbPerCall: summarize(lcKb) };
  const speedup = langchain.msPerCall.median / alma.msPerCall.median;
  const table: BenchTable = {
    title: `Memory: one request from a ${formatNumber(size)}-message conversation, one new message per call (prompt budget ${formatNumber(B)} tokens, ${rounds} rounds × ${calls} calls)`,
    columns: ["implementation", "ms per call, median (min–max of rounds)", "heap KB per call", "kept messages"],
    rows: [
      ["alma buildContext (warm cache)", formatSummary(alma.msPerCall, 3), formatSummary(alma.kbPerCall, 0), formatNumber(kept)],
      ["alma buildContext (first call, cold cache)", formatSummary(alma.coldMs, 2), "", ""],
      ["LangChain.js trimMessages (last, memoized counter)", formatSummary(langchain.msPerCall, 2), formatSummary(langchain.kbPerCall, 0), formatNumber(kept)],
    ],
    notes: [
      `speedup (LangChain median / alma median): ${formatNumber(speedup, 1)}× → goal ≥ 20× ${speedup >= 20 ? "met" : "MISSED"}`,
      `kept-message sets identical in every call: ${identical ? "yes" : "NO"}`,
      gc ? "garbage collected before each call" : "heap growth without forced GC (run with node --expose-gc --import tsx for cleaner allocation figures)",
    ],
  };
  return { messages: size, callsPerRound: calls, rounds, promptBudget: B, alma, langchain, speedup, keptMessages: kept, identicalKeptSets: identical, table };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await runMemoryBench({ quick: process.argv.includes("--quick") });
  console.log(renderTable(result.table));
}
