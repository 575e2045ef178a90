import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { basename } from "node:path";

export interface HeldDownloadServer {
  /** the file's URL, to give the server as its model */
  url: string;
  /** lets every download in flight (and any later one) run to the end */
  release(): void;
  close(): Promise<void>;
}

/**
 * Serves one file on 127.0.0.1, but holds every download part-way until release(): the first part at once,
 * then a trickle that keeps the downloader's stall timer quiet without ever finishing. So the browser test
 * sees the download in progress however late in the suite it runs, and decides when it completes.
 */
export async function startHeldDownloadServer(file: string, { heldFraction = 0.5, trickleBytes = 64, trickleMs = 250 } = {}): Promise<HeldDownloadServer> {
  const body = await readFile(file);
  const held = Math.floor(body.length * heldFraction);
  let released = false;
  const finishers = new Set<() => void>();

  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(body.length), "accept-ranges": "none" });
    if (req.method === "HEAD") return void res.end();
    if (released) return void res.end(body);
    let sent = held;
    res.write(body.subarray(0, sent));
    const finish = () => {
      clearInterval(timer);
      finishers.delete(finish);
      if (!res.destroyed) res.end(body.subarray(sent));
    };
    // never the last byte while held: the download must not complete before the test says so
    const timer = setInterval(() => {
      const next = Math.min(sent + trickleBytes, body.length - 1);
      if (next > sent) res.write(body.subarray(sent, next));
      sent = next;
    }, trickleMs);
    finishers.add(finish);
    res.on("close", () => {
      clearInterval(timer);
      finishers.delete(finish);
    });
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${basename(file)}`,
    release() {
      released = true;
      for (const finish of [...finishers]) finish();
    },
    async close() {
      for (const finish of [...finishers]) finish();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
