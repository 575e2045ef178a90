export * from "./count-openai-chat-tokens.js";
export * from "./create-fake-flavour.js";
export * from "./openai-chat-request-schema.js";
export * from "./read-sse-data.js";
export * from "./split-into-tokens.js";
export * from "./start-fake-openai.js";
export * from "./split-into-model-tokens.js";
