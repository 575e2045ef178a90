import type { ServerFrame } from "@alma/protocol";
import type { ClientConnection } from "./client-connection.js";

/**
 * The open WebSocket connections, and the one way to send a frame to many of them: model status, the
 * metrics feed, conversation updates and a new message for a conversation's other followers all go
 * through `broadcast`.
 */
export class ClientRegistry implements Iterable<ClientConnection> {
  private readonly clients = new Set<ClientConnection>();

  add(client: ClientConnection): void {
    this.clients.add(client);
  }

  delete(client: ClientConnection): void {
    this.clients.delete(client);
  }

  get size(): number {
    return this.clients.size;
  }

  [Symbol.iterator](): Iterator<ClientConnection> {
    return this.clients.values();
  }

  /** sends `frame` to every handshaken client, or to those of them `to` picks */
  broadcast(frame: ServerFrame, to?: (client: ClientConnection) => boolean): void {
    for (const client of this.clients) if (client.isWelcomed && (to === undefined || to(client))) client.send(frame);
  }
}
