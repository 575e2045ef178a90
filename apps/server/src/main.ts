import { ConfigError, loadConfig } from "./config.js";
import type { AppConfig } from "./config.js";
import { buildApp } from "./build-app.js";
import { loadEnvFile } from "./load-env-file.js";
import { createPrettyLogStream } from "./create-pretty-log-stream.js";

/** a signal this soon after the first is the same Ctrl-C delivered again, not a second one */
const SAME_SIGNAL_MS = 1_000;

/** `pnpm start:server`: load the config, listen, and shut down gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  loadEnvFile();
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const app = await buildApp({ config, ...(config.logFormat === "pretty" ? { logStream: createPrettyLogStream() } : {}) });
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal, deadlineMs: config.shutdownDeadlineMs }, "shutting down: no new runs; running answers may finish");
    // A second Ctrl-C while draining means "now": the answers still running are stored as interrupted. One Ctrl-C
    // reaches the server more than once (the terminal signals the whole process group, and npm start and pnpm
    // forward it too), so signals in the first second are that same one.
    const firstAt = Date.now();
    const again = (next: NodeJS.Signals) => {
      if (Date.now() - firstAt < SAME_SIGNAL_MS) return;
      process.off("SIGINT", again);
      process.off("SIGTERM", again);
      app.log.warn({ signal: next }, "second signal: stopping the remaining answers now");
      void app.alma.drain(0);
      app.alma.hub.stopAll("shutdown");
    };
    process.on("SIGINT", again);
    process.on("SIGTERM", again);
    app
      .close()
      .then(() => {
        app.log.info("shut down cleanly");
        process.exit(0);
      })
      .catch((err: unknown) => {
        app.log.error({ err }, "error while shutting down");
        process.exit(1);
      });
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    app.log.error({ err }, `could not listen on ${config.host}:${config.port}; is another server using that port? Set PORT to pick another.`);
    await app.close();
    process.exit(1);
  }
}

void main();
