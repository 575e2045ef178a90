import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { recheckModel, type ChatModel } from "@alma/llm";
import type { ConversationStore } from "@alma/store";
import type { ConversationRunLocks } from "../cluster/conversation-run-locks.js";
import type { AppConfig } from "../config.js";
import type { RateLimiter } from "../limits/rate-limiter.js";
import type { RunHub } from "../runs/run-hub.js";
import type { ChatClient } from "./chat-client.js";
import { RequestError } from "./request-error.js";
import { answerOfRun } from "./streaming-answer.js";

/** how long a send waits for another start in the same conversation to name its run (storing messages takes ms) */
const STARTING_WAIT_MS = 2_000;
const STARTING_POLL_MS = 25;

export interface RunAdmissionDeps {
  config: AppConfig;
  hub: RunHub;
  model: ChatModel;
  now: () => number;
  /** messages per minute per address: in-process, or shared by the instances through Redis */
  messageLimiter: RateLimiter;
  /** with Redis, one run per conversation across the instances; null or absent: this hub alone decides */
  conversationLocks?: ConversationRunLocks | null;
  /** with the locks: whether the run a lock names still streams (its answer as stored) */
  store?: Pick<ConversationStore, "listMessages">;
}

const conflict = () =>
  new RequestError("conflict", "An answer is still being written in this conversation. Stop it or wait for it to finish.", { retryable: true });

/**
 * Whether a new run may start: not while shutting down, only with a ready model, one run per conversation,
 * within the per-connection and per-server caps and the per-address message rate. Checked before anything
 * is stored, so a refused message can simply be resent.
 */
export class RunAdmission {
  private accepting = true;
  /** runs admitted and still being started (their messages are being stored): they count against the caps already */
  private starting = 0;
  private readonly startingBy = new Map<string, number>();

  constructor(private readonly deps: RunAdmissionDeps) {}

  /** graceful shutdown: refuse new runs from now on */
  stopAccepting(): void {
    this.accepting = false;
  }

  /**
   * Checks, then holds the run's place while `start` stores its messages and creates it: two requests admitted at
   * once cannot both take the last slot while the store answers.
   */
  async admit<T>(client: ChatClient, conversationId: string | null, start: () => Promise<T>): Promise<T> {
    // a model found unavailable is asked again first (for a few seconds at most): the message sent just after the
    // model server came up is answered rather than refused until the next background re-probe
    if (this.accepting && !this.deps.model.status().ready) await recheckModel(this.deps.model);
    this.check(client, conversationId);
    this.starting++;
    this.startingBy.set(client.id, (this.startingBy.get(client.id) ?? 0) + 1);
    let token: string | null = null;
    try {
      if (conversationId !== null && this.deps.conversationLocks) {
        token = `starting:${randomUUID()}`;
        await this.lockConversation(this.deps.conversationLocks, conversationId, token);
      }
      // the place is held while the shared rate limit answers, so the caps above stay exact
      await this.takeMessage(client);
      const before = conversationId === null ? new Set(this.deps.hub.activeIdsOwnedBy(client.id)) : null;
      const started = await start();
      const locks = this.deps.conversationLocks;
      if (token !== null) await this.holdLock(locks!, conversationId!, token);
      else if (before !== null && locks) await this.lockNewConversation(locks, client, before);
      return started;
    } catch (err) {
      if (token !== null) await this.deps.conversationLocks!.release(conversationId!, token).catch(() => undefined);
      throw err;
    } finally {
      this.starting--;
      const left = (this.startingBy.get(client.id) ?? 1) - 1;
      if (left > 0) this.startingBy.set(client.id, left);
      else this.startingBy.delete(client.id);
    }
  }

  /** throws the RequestError that says why `client` may not start a run (in `conversationId`, null for a new one) now; the rate limit is `takeMessage` */
  check(client: ChatClient, conversationId: string | null): void {
    const { hub, config, model } = this.deps;
    if (!this.accepting) {
      throw new RequestError("shutting_down", "The server is shutting down and takes no new messages. Try again in a moment.", {
        retryable: true,
        retryAfterMs: 5000,
      });
    }
    const status = model.status();
    if (!status.ready) {
      throw new RequestError(
        "model_not_ready",
        `No model is ready${status.problem ? `: ${status.problem}` : ` (${status.state})`}.${status.setup.length ? ` To fix it: ${status.setup.join("; ")}.` : ""}`,
        { retryable: status.state === "loading" || status.state === "downloading" },
      );
    }
    if (conversationId !== null && hub.activeForConversation(conversationId)) throw conflict();
    if (hub.activeOwnedBy(client.id) + (this.startingBy.get(client.id) ?? 0) >= config.limits.maxRunsPerConnection) {
      throw new RequestError(
        "too_many_runs",
        `This connection already has ${config.limits.maxRunsPerConnection} answers in progress. Wait for one to finish or stop one.`,
        { retryable: true, retryAfterMs: 1000 },
      );
    }
    if (hub.active + this.starting >= config.limits.maxRunsPerServer) {
      throw new RequestError("too_many_runs", "The server is busy with other answers. Try again in a few seconds.", {
        retryable: true,
        retryAfterMs: 2000,
      });
    }
  }

  /**
   * Takes the conversation's lock, or refuses as a run of this hub would: another instance's run (or start) holds it.
   * A lock still naming a run that has ended is let go at once rather than when its owner's refresher notices: a
   * viewer told of the end may send the next message at once, on any instance.
   */
  private async lockConversation(locks: ConversationRunLocks, conversationId: string, token: string): Promise<void> {
    // a start still storing its messages holds a token, not a run id: its run may even have ended already (a fast
    // model answers before the lock is renamed), so look again until it names its run or lets go
    const until = Date.now() + STARTING_WAIT_MS;
    for (;;) {
      if (await locks.acquire(conversationId, token)) return;
      const holder = await locks.holder(conversationId);
      if (holder !== null && !holder.startsWith("starting:")) {
        if (!(await this.holderEnded(conversationId, holder))) throw conflict();
        await locks.release(conversationId, holder);
      }
      if (Date.now() >= until) throw conflict();
      if (holder?.startsWith("starting:")) await sleep(STARTING_POLL_MS);
    }
  }

  /**
   * Whether the run a lock names has ended: its answer is stored as ended before its end goes out (and stored as
   * streaming before the lock names it). A start still in progress (a token, not a run id) has not.
   */
  private async holderEnded(conversationId: string, holder: string): Promise<boolean> {
    const local = this.deps.hub.get(holder);
    if (local) return local.isEnded;
    if (!this.deps.store) return false;
    const answer = answerOfRun(await this.deps.store.listMessages(conversationId), holder);
    return answer?.status !== "streaming";
  }

  /** the run started: its lock names it until it ends; none started (a duplicate, or it already ended): let go */
  private async holdLock(locks: ConversationRunLocks, conversationId: string, token: string): Promise<void> {
    const run = this.deps.hub.activeForConversation(conversationId);
    if (!run) {
      await locks.release(conversationId, token);
      return;
    }
    const { hub } = this.deps;
    await locks.hold(conversationId, token, run.id, () => hub.get(run.id)?.isEnded === false);
  }

  /**
   * A new conversation's run: nobody could name the conversation before its message was acknowledged, so its lock
   * is taken as the run's now (before another instance can have heard of it, it is already running here).
   */
  private async lockNewConversation(locks: ConversationRunLocks, client: ChatClient, before: Set<string>): Promise<void> {
    const { hub } = this.deps;
    const run = hub
      .activeIdsOwnedBy(client.id)
      .filter((id) => !before.has(id))
      .map((id) => hub.get(id)!)[0];
    if (!run || !(await locks.acquire(run.conversationId, run.id))) return;
    await locks.hold(run.conversationId, run.id, run.id, () => hub.get(run.id)?.isEnded === false);
  }

  /** counts the message against its address's rate, or throws rate_limited with how long to wait */
  async takeMessage(client: ChatClient): Promise<void> {
    const { config } = this.deps;
    const wait = await this.deps.messageLimiter.take(client.address);
    if (wait > 0) {
      throw new RequestError(
        "rate_limited",
        `You sent more than ${config.limits.messagesPerMinute} messages in a minute. Try again in ${Math.ceil(wait / 1000)} s.`,
        { retryable: true, retryAfterMs: wait },
      );
    }
  }
}
