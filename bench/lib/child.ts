import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

/** A benchmark process started from a .ts file under tsx, talking over the IPC channel. */
export interface BenchChild<Ready> {
  process: ChildProcess;
  ready: Ready;
  /** sends a message and resolves with the child's next reply */
  request<T>(message: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function startChild<Ready>(
  file: URL,
  opts: { args?: string[]; env?: Record<string, string>; execArgv?: string[] } = {},
): Promise<BenchChild<Ready>> {
  const child = fork(fileURLToPath(file), opts.args ?? [], {
    execArgv: ["--import", "tsx", ...(opts.execArgv ?? [])],
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`${fileURLToPath(file)} exited with code ${code} before it was ready`);
  });
  exited.catch(() => undefined);
  const [ready] = (await Promise.race([once(child, "message"), exited])) as [Ready];
  const exitedAfterReady = once(child, "exit").then(([code, signal]) => {
    throw new Error(`${fileURLToPath(file)} exited (code ${code}, signal ${signal}) while a request was pending`);
  });
  exitedAfterReady.catch(() => undefined);
  return {
    process: child,
    ready,
    request<T>(message: unknown) {
      // a child that dies mid-request must fail the benchmark, not hang it
      const reply = Promise.race([once(child, "message").then(([m]) => m as T), exitedAfterReady]);
      child.send(message as object);
      return reply;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, "exit");
      child.kill("SIGTERM");
      // a server that cannot drain in time must not hold the benchmark up
      const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await gone;
      clearTimeout(kill);
    },
  };
}
