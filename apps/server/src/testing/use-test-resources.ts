import { rmSync } from "node:fs";
import { afterEach } from "vitest";
import type { FastifyInstance } from "fastify";
import type { WsTestClient } from "./ws-test-client.js";

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
  return { apps, clients, dirs };
}
