import pinoPretty from "pino-pretty";

/** Human-readable log lines for a terminal; in-process (no worker thread), so nothing is lost on exit. */
export function createPrettyLogStream(destination: NodeJS.WritableStream = process.stdout): NodeJS.WritableStream {
  return pinoPretty({
    colorize: destination === process.stdout && Boolean(process.stdout.isTTY),
    translateTime: "SYS:HH:MM:ss.l",
    // a request's line says its method, URL, status and time in words; the same fields are kept for JSON logs only
    ignore: "pid,hostname,reqId,req,res,responseTime",
    destination,
    sync: true,
  });
}
