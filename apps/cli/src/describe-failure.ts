import { AlmaClientError } from "@alma/client";
import type { ModelStatus } from "@alma/protocol";
import { EXIT_ERROR, EXIT_UNREACHABLE } from "./cli-io.js";
import { httpOrigin } from "./resolve-server-url.js";

export interface Failure {
  message: string;
  exitCode: number;
}

/** Setup hints for when no model is ready, from the server's own list when it gave one. */
export function modelSetupHints(model: ModelStatus | null): string {
  const hints = model?.setup.length
    ? model.setup
    : [
        "Set OPENAI_API_KEY (and OPENAI_BASE_URL for an OpenAI-compatible server such as Ollama or LM Studio).",
        "Set ALMA_MODEL to a local GGUF file path, or an hf: URI to download one.",
        "Run the server once with internet access so it downloads the default local model.",
      ];
  const problem = model?.problem ? `${model.problem}\n` : "";
  return `${problem}To make a model ready:\n${hints.map((h) => `  - ${h}`).join("\n")}`;
}

/** The server did not answer at all: where the CLI looked, why, how to start it or point elsewhere. */
export function serverUnreachable(serverUrl: string, reason: string): Failure {
  return {
    message:
      `alma: the alma server isn't running at ${serverUrl} (${reason}).\n` +
      `Start it with \`pnpm start:server\` (or \`pnpm start\` for the web app and server together), ` +
      `or point the CLI at another server with --server URL or ALMA_SERVER_URL (e.g. ${httpOrigin(serverUrl)}).`,
    exitCode: EXIT_UNREACHABLE,
  };
}

/** Turns whatever ended a command into one clear message and an exit code. */
export function describeFailure(error: unknown, serverUrl: string, model: ModelStatus | null): Failure {
  if (!(error instanceof AlmaClientError)) {
    return { message: `alma: unexpected failure: ${error instanceof Error ? error.message : String(error)}`, exitCode: EXIT_ERROR };
  }
  switch (error.code) {
    case "connection_failed":
    case "handshake_timeout":
      return serverUnreachable(serverUrl, error.message);
    case "unsupported_version":
      return { message: `alma: ${error.message}\nThe CLI and the server come from different versions of alma; update both.`, exitCode: EXIT_ERROR };
    case "unauthorized":
      return { message: `alma: ${error.message}\nPass the server's access token with --token or ALMA_AUTH_TOKEN.`, exitCode: EXIT_ERROR };
    case "model_not_ready":
      return { message: `alma: ${error.message}\n${modelSetupHints(model)}`, exitCode: EXIT_ERROR };
    case "rate_limited":
    case "too_many_runs":
    case "too_many_connections": {
      const wait = error.retryAfterMs !== undefined ? ` Try again in ${Math.ceil(error.retryAfterMs / 1000)} s.` : "";
      return { message: `alma: ${error.message}${wait}`, exitCode: EXIT_ERROR };
    }
    default:
      return { message: `alma: ${error.message}`, exitCode: EXIT_ERROR };
  }
}
