export * from "./conversation-store.js";
export * from "./sqlite-conversation-store.js";
export * from "./migrations.js";
export * from "./store-error.js";
export * from "./title-from-message.js";
