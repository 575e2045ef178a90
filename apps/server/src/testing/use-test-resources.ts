import { rmSync } from "node:fs";
import { afterEach } from "vitest";
import type { FastifyInstance } from "fastify";
import { buildApp, type BuildAppOptions } from "../build-app.js";
import { WsTestClient } from "./ws-test-client.js";

/**
 * The apps, sockets and temp folders a test file opens, released after each test (sockets first, so
 * apps close without waiting on them). `alsoRelease` closes the file's own extras, such as a fake upstream.
 */
export function useTestResources(alsoRelease?: () => Promise<void> | void) {
  const apps: FastifyInstance[] = [];
  const clients: WsTestClient[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    for (const a of apps.splice(0)) await a.close();
    await alsoRelease?.();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  /** builds and starts an app on 127.0.0.1 (released after the test), with a way to open handshaken sockets to it */
  const serve = async (options: BuildAppOptions) => {
    const app = await buildApp(options);
    apps.push(app);
    const address = await app.listen({ host: "127.0.0.1", port: 0 });
    const connect = async () => {
      const c = await WsTestClient.connect(`${address.replace("http", "ws")}/ws`);
      clients.push(c);
      return c;
    };
    return { app, address, connect };
  };
  return { apps, clients, dirs, serve };
}
