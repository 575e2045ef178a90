export * from "./chat-message.js";
export * from "./chat-model.js";
export * from "./llm-error.js";
