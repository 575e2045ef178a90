import type { RunSubscriber } from "./run-subscriber.js";

/**
 * Who follows which conversation: each client follows the one it has open (its latest history request or
 * message), and sees that conversation's new runs live. A client follows at most one conversation.
 */
export class ConversationFollowers {
  private readonly following = new Map<RunSubscriber, string>();

  /** the client now has this conversation open (and no other) */
  follow(client: RunSubscriber, conversationId: string): void {
    this.following.set(client, conversationId);
  }

  /** the client left (its socket closed) */
  unfollow(client: RunSubscriber): void {
    this.following.delete(client);
  }

  isFollowing(client: RunSubscriber, conversationId: string): boolean {
    return this.following.get(client) === conversationId;
  }

  /** the clients with this conversation open, in the order they opened it */
  of(conversationId: string): RunSubscriber[] {
    const followers: RunSubscriber[] = [];
    for (const [client, followed] of this.following) if (followed === conversationId) followers.push(client);
    return followers;
  }
}
