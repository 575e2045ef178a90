export * from "./fake-alma-server.js";
export * from "./frame-factory.js";
