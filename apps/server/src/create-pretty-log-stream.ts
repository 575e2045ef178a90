import pinoPretty from "pino-pretty";

/** Human-readable log lines for a terminal; in-process (no worker thread), so nothing is lost on exit. */
export function createPrettyLogStream(destination: NodeJS.WritableStream = process.stdout): NodeJS.WritableStream {
  return pinoPretty({
    colorize: destination === process.stdout && Boolean(process.stdout.isTTY),
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname,reqId",
    destination,
    sync: true,
  });
}
