export * from "./run-cli.js";
export * from "./cli-io.js";
export * from "./parse-cli-args.js";
export * from "./resolve-server-url.js";
