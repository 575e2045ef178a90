export * from "./fake-alma-server.js";
export * from "./fake-socket.js";
export * from "./frame-factory.js";
