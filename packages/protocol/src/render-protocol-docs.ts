import { z } from "zod";
import { PROTOCOL_VERSION } from "./protocol-version.js";
import { clientFrameSchemas } from "./client-frame.js";
import { serverFrameSchemas } from "./server-frame.js";
import { errorCodeSchema } from "./error-code.js";

type Schema = (typeof clientFrameSchemas)[number] | (typeof serverFrameSchemas)[number];

function section(schema: Schema): string {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  delete json.$schema;
  const type = schema.shape.type.value;
  return `### \`${type}\`\n\n\`\`\`json\n${JSON.stringify(json, null, 2)}\n\`\`\`\n`;
}

/** docs/protocol.md is this function's output; a test fails when the file and the schemas differ. */
export function renderProtocolDocs(): string {
  return [
    `# alma WebSocket protocol (version ${PROTOCOL_VERSION})`,
    "",
    "<!-- Generated from packages/protocol by `pnpm docs:protocol`. Do not edit by hand: a test compares it with the schemas. -->",
    "",
    "Connect to `ws://HOST:PORT/ws`. Every frame is one JSON object in a text frame, with a string field `type`.",
    "Binary frames are refused (close code 1003). Frames over the size limit close the socket with 1009.",
    "",
    "## Handshake",
    "",
    `The client's first frame is \`hello\` with \`protocolVersion: ${PROTOCOL_VERSION}\` (and \`token\` when the server requires one).`,
    "The server answers `welcome` (with the model's status and the limits) or an `error` with code `unsupported_version` or `unauthorized`, then closes.",
    "Any other frame before `hello` gets an `error` with code `handshake_required`.",
    "",
    "## Runs",
    "",
    "`message.send` is answered by `message.accepted` and then the run's events, in this order:",
    "`run.started`, then any of `run.classified`, `run.progress`, `run.context`, `run.plan`, `run.step.started`, `run.tool.started`, `run.tool.completed`, `run.token`, `run.step.completed`,",
    "and last exactly one of `run.completed` or `run.error`.",
    "",
    "- Every run event has `runId`, `index` (gap-free from 0 over all events of the run) and `at` (epoch ms).",
    "- `run.token` has `seq`, gap-free from 0 over the run's tokens, and is tagged with the `agent` and `stepId` it belongs to.",
    "- A step's worker may call tools: each call is `run.tool.started` then `run.tool.completed` (matched by `callId`), between the step's `run.step.started` and `run.step.completed`.",
    "- `message.send` may name `attachmentIds`: files uploaded first with `POST /api/conversations/:id/attachments` (multipart, field `file`), sent with this message.",
    "- A resend of `message.send` with the same `clientMessageId` is not stored twice: the server answers `message.accepted` with `duplicate: true`.",
    "- `run.resume` with the last `index` the client has replays what it missed, then live events follow.",
    "- `run.stop` ends the run: the upstream request is aborted and the partial answer is kept with status `stopped`.",
    "",
    "## Errors",
    "",
    "An invalid frame is answered by an `error` frame naming what was wrong; the connection stays usable.",
    "Error codes:",
    "",
    ...errorCodeSchema.options.map((code) => `- \`${code}\``),
    "",
    "## Client frames",
    "",
    ...clientFrameSchemas.map(section),
    "## Server frames",
    "",
    ...serverFrameSchemas.map(section),
  ].join("\n");
}
