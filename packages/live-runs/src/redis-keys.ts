/**
 * Every key and channel this package touches, under one prefix, so several alma deployments (or test files) can
 * share a Redis and a prefix scan finds all of one deployment's keys.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** the run's events: a Redis Stream whose entry ids are `0-(index+1)` */
  runEvents(runId: string): string {
    return `${this.prefix}run:${runId}:events`;
  }

  /** the run's folded state at some index (JSON of a RunState) */
  runState(runId: string): string {
    return `${this.prefix}run:${runId}:state`;
  }

  /** the instance that runs it */
  runOwner(runId: string): string {
    return `${this.prefix}run:${runId}:owner`;
  }

  /** the conversation the run answers in, written at its claim: a run that dies before its first event is still found */
  runConversation(runId: string): string {
    return `${this.prefix}run:${runId}:conversation`;
  }

  /** the other instances with a viewer of the run (a set of instance ids): the owner keeps a run they watch going */
  runViewers(runId: string): string {
    return `${this.prefix}run:${runId}:viewers`;
  }

  /** a stop asked for while the owner may not have heard it (pub/sub is at most once) */
  runStop(runId: string): string {
    return `${this.prefix}run:${runId}:stop`;
  }

  /** every key a run has, for its expiry at the end */
  runKeys(runId: string): string[] {
    return [this.runEvents(runId), this.runState(runId), this.runOwner(runId), this.runConversation(runId), this.runViewers(runId), this.runStop(runId)];
  }

  /** the instances that have announced themselves and were not reaped (a set) */
  instances(): string {
    return `${this.prefix}instances`;
  }

  /** an instance's heartbeat: exists while it is alive (TTL) */
  instance(instanceId: string): string {
    return `${this.prefix}instance:${instanceId}`;
  }

  /** the runs an instance owns and has not ended (a set without TTL: it outlives the instance, for its reaper) */
  instanceRuns(instanceId: string): string {
    return `${this.prefix}instance:${instanceId}:runs`;
  }

  /** left by the survivor that reaped an instance: the instance, if it was only paused, learns it was reaped */
  reaped(instanceId: string): string {
    return `${this.prefix}instance:${instanceId}:reaped`;
  }

  /** held by the survivor reaping a dead instance */
  reapLock(instanceId: string): string {
    return `${this.prefix}instance:${instanceId}:reaping`;
  }

  /** stop requests for the runs of one instance (pub/sub) */
  control(instanceId: string): string {
    return `${this.prefix}control:${instanceId}`;
  }

  /** conversation changes for every instance (pub/sub) */
  conversations(): string {
    return `${this.prefix}conversations`;
  }
}
