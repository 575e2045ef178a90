import type { ChatModel } from "@alma/llm";
import type { AppConfig } from "../config.js";
import type { RateLimiter } from "../limits/rate-limiter.js";
import type { RunHub } from "../runs/run-hub.js";
import type { ChatClient } from "./chat-client.js";
import { RequestError } from "./request-error.js";

export interface RunAdmissionDeps {
  config: AppConfig;
  hub: RunHub;
  model: ChatModel;
  now: () => number;
  /** messages per minute per address: in-process, or shared by the instances through Redis */
  messageLimiter: RateLimiter;
}

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
    this.check(client, conversationId);
    this.starting++;
    this.startingBy.set(client.id, (this.startingBy.get(client.id) ?? 0) + 1);
    try {
      // the place is held while the shared rate limit answers, so the caps above stay exact
      await this.takeMessage(client);
      return await start();
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
    if (conversationId !== null && hub.activeForConversation(conversationId)) {
      throw new RequestError("conflict", "An answer is still being written in this conversation. Stop it or wait for it to finish.", {
        retryable: true,
      });
    }
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
