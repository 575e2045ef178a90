import { withRepoEnv } from "./repo-env.js";
import { runCli } from "./run-cli.js";

// a closed pipe (`alma ask … | head`) is not an error worth a stack trace
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

// the first Ctrl-C stops the run as the stop button does; a second one quits at once
const interrupted = new AbortController();
process.on("SIGINT", () => {
  if (interrupted.signal.aborted) process.exit(130);
  interrupted.abort();
});

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  // inside the repo, the server's address and token come from its .env too (the shell wins)
  env: withRepoEnv(process.env),
  signal: interrupted.signal,
});
process.exitCode = code;
