import type { ChatMessage } from "@alma/llm";
import type { MaybePromise } from "./token-counter.js";

/** What the scheduler reads from the store when a job runs (fresh, so it never works on stale data). */
export interface SummaryState {
  summary: string | null;
  /** messages[0 .. summarizedCount) are folded into `summary` */
  summarizedCount: number;
  /** the whole conversation, oldest first */
  messages: readonly ChatMessage[];
}

export interface SummarySchedulerOptions {
  /** folds messages into the summary; usually `summarizeEvicted` bound to a model and counter */
  summarize: (input: { previousSummary: string | null; evicted: readonly ChatMessage[]; signal: AbortSignal }) => Promise<string>;
  load: (conversationId: string) => MaybePromise<SummaryState | null>;
  save: (conversationId: string, summary: string, summarizedCount: number) => MaybePromise<void>;
  /** backoff after a failure: baseMs × 2^(attempt-1), capped at maxMs; after maxAttempts it waits for the next `schedule` */
  retry?: { baseMs?: number; maxMs?: number; maxAttempts?: number };
  onError?: (conversationId: string, error: unknown, attempt: number) => void;
}

interface Job {
  /** summarize up to this message index (exclusive) */
  target: number;
  running: boolean;
  timer: NodeJS.Timeout | null;
  attempt: number;
  controller: AbortController;
  done: Promise<void>;
  resolveDone: () => void;
}

/**
 * Runs summaries in the background after a run ends: at most one job per conversation at a time,
 * newer requests merge into the running job's next round, failures retry with exponential backoff
 * (trimming stays correct meanwhile: the evicted messages are simply not in the summary yet).
 * The server calls `schedule(conversationId, result.evictedUpTo)` after each run; buildContext is
 * then given `summarizedCount` from the store and never sends summarized messages again.
 */
export class SummaryScheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly maxAttempts: number;
  private closed = false;

  constructor(private readonly options: SummarySchedulerOptions) {
    this.baseMs = options.retry?.baseMs ?? 2_000;
    this.maxMs = options.retry?.maxMs ?? 120_000;
    this.maxAttempts = options.retry?.maxAttempts ?? 5;
  }

  /** Asks for messages[0 .. upTo) to be summarized; returns at once. */
  schedule(conversationId: string, upTo: number): void {
    if (this.closed || !Number.isInteger(upTo) || upTo <= 0) return;
    const existing = this.jobs.get(conversationId);
    if (existing) {
      existing.target = Math.max(existing.target, upTo);
      return;
    }
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const job: Job = { target: upTo, running: false, timer: null, attempt: 0, controller: new AbortController(), done, resolveDone };
    this.jobs.set(conversationId, job);
    job.timer = setTimeout(() => void this.drain(conversationId, job), 0);
    job.timer.unref?.();
  }

  /** Resolves when the conversation's job (or every job) has finished or given up. */
  async idle(conversationId?: string): Promise<void> {
    if (conversationId !== undefined) return this.jobs.get(conversationId)?.done;
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  /** true while a job for the conversation is running or waiting to retry */
  isPending(conversationId: string): boolean {
    return this.jobs.has(conversationId);
  }

  get pendingCount(): number {
    return this.jobs.size;
  }

  /** Cancels the conversation's job (conversation deleted or evicted from memory). */
  clearConversation(conversationId: string): void {
    const job = this.jobs.get(conversationId);
    if (!job) return;
    this.finish(conversationId, job);
  }

  /** Cancels every job; for shutdown. */
  close(): void {
    this.closed = true;
    for (const [id, job] of this.jobs) this.finish(id, job);
  }

  private finish(conversationId: string, job: Job): void {
    if (job.timer) clearTimeout(job.timer);
    job.timer = null;
    job.controller.abort();
    if (this.jobs.get(conversationId) === job) this.jobs.delete(conversationId);
    job.resolveDone();
  }

  private async drain(conversationId: string, job: Job): Promise<void> {
    job.timer = null;
    job.running = true;
    const signal = job.controller.signal;
    try {
      for (;;) {
        if (signal.aborted) return;
        const target = job.target;
        const state = await this.options.load(conversationId);
        if (!state || signal.aborted) break;
        const upTo = Math.min(target, state.messages.length);
        if (upTo > state.summarizedCount) {
          const evicted = state.messages.slice(state.summarizedCount, upTo);
          const summary = await this.options.summarize({ previousSummary: state.summary, evicted, signal });
          if (signal.aborted) return;
          await this.options.save(conversationId, summary, upTo);
          job.attempt = 0;
        }
        if (job.target <= target) break;
      }
      this.finish(conversationId, job);
    } catch (error) {
      if (signal.aborted) return;
      job.attempt++;
      try {
        this.options.onError?.(conversationId, error, job.attempt);
      } catch {
        // a failing error reporter must not leave the job stuck: it would never finish nor retry
      }
      if (job.attempt >= this.maxAttempts || this.closed) {
        this.finish(conversationId, job);
        return;
      }
      const delay = Math.min(this.maxMs, this.baseMs * 2 ** (job.attempt - 1));
      job.timer = setTimeout(() => void this.drain(conversationId, job), delay);
      job.timer.unref?.();
    } finally {
      job.running = false;
    }
  }
}
