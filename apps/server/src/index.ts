export * from "./config.js";
export * from "./build-app.js";
export * from "./create-model-from-config.js";
export * from "./metrics/app-metrics.js";
export * from "./runs/run-hub.js";
export * from "./runs/live-run.js";
export * from "./runs/run-services.js";
export * from "./server-version.js";
