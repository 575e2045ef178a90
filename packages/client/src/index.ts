export * from "./alma-client.js";
export * from "./client-events.js";
export * from "./client-options.js";
export * from "./alma-client-error.js";
export * from "./connection-state.js";
export * from "./create-id.js";
export * from "./run-handle.js";
export * from "./websocket-like.js";
export type { BackoffOptions } from "@alma/protocol";
