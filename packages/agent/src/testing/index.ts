export * from "./capable-responder.js";
export * from "./fast-model-speed.js";
export * from "./check-run-event-order.js";
export * from "./run-harness.js";
