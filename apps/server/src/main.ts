import { DatabaseUnavailableError } from "@alma/store";
import { ConfigError, loadConfig } from "./config.js";
import type { AppConfig } from "./config.js";
import { buildApp } from "./build-app.js";
import { loadEnvFile } from "./load-env-file.js";
import { createPrettyLogStream } from "./create-pretty-log-stream.js";
import type { Telemetry } from "./telemetry/start-telemetry.js";

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
  // OpenTelemetry before the app, so its instruments and HTTP spans are the SDK's; not even loaded when export is off
  const telemetry: Telemetry | null = config.telemetry ? (await import("./telemetry/start-telemetry.js")).startTelemetry(config.telemetry) : null;
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp({ config, telemetry, ...(config.logFormat === "pretty" ? { logStream: createPrettyLogStream() } : {}) });
  } catch (err) {
    // by name: the Redis package is loaded only when ALMA_REDIS_URL is set
    if (err instanceof DatabaseUnavailableError || (err instanceof Error && err.name === "RedisUnreachableError")) {
      process.stderr.write(`${err.message}\n`);
      await telemetry?.shutdown(1_000);
      process.exit(69); // EX_UNAVAILABLE
    }
    throw err;
  }
  if (telemetry)
    app.log.info({ traces: telemetry.config.tracesUrl, metrics: telemetry.config.metricsUrl }, "exporting OpenTelemetry traces and metrics (OTLP/HTTP JSON)");
  // the last spans and figures go out once the app has closed; a collector that does not answer cannot hold up the exit
  const flushTelemetry = () => telemetry?.shutdown(Math.min(5_000, config.shutdownDeadlineMs + 1_000)) ?? Promise.resolve();
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    const running = app.alma.hub.active;
    app.log.info(
      { signal, deadlineMs: config.shutdownDeadlineMs, running },
      running > 0
        ? `shutting down: no new runs; the ${running} running answer${running === 1 ? "" : "s"} may finish within ${Math.round(config.shutdownDeadlineMs / 1000)} s (press Ctrl-C again to stop ${running === 1 ? "it" : "them"} now)`
        : "shutting down: no new runs",
    );
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
      .then(flushTelemetry)
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
    await flushTelemetry();
    process.exit(1);
  }
}

void main();
