import { secretMatches } from "../security/secret-matches.js";
import type { FastifyPluginAsync } from "fastify";
import rateLimit from "@fastify/rate-limit";
import { z } from "zod";
import { idSchema } from "@alma/protocol";
import type { ConversationStore } from "@alma/store";
import type { RunHub } from "../runs/run-hub.js";

const listQuery = z.object({ q: z.string().max(500).optional() }).strict();
const idParams = z.object({ id: idSchema });

function bearerMatches(expected: string, header: string | undefined): boolean {
  return secretMatches(expected, header?.startsWith("Bearer ") ? header.slice(7) : undefined);
}

/** `GET /api/conversations` and `GET /api/conversations/:id` (messages and pinned facts), rate-limited, token-guarded when set. */
export const conversationsApiPlugin: FastifyPluginAsync<{
  store: ConversationStore;
  hub: RunHub;
  authToken: string | null;
  requestsPerMinute: number;
}> = async (app, o) => {
  await app.register(rateLimit, { max: o.requestsPerMinute, timeWindow: 60_000 });

  app.addHook("onRequest", async (request, reply) => {
    if (o.authToken !== null && !bearerMatches(o.authToken, request.headers.authorization)) {
      await reply.code(401).send({ error: "unauthorized", message: "Send the server's access token as `Authorization: Bearer <ALMA_AUTH_TOKEN>`." });
    }
  });

  app.get("/api/conversations", async (request, reply) => {
    const query = listQuery.safeParse(request.query);
    if (!query.success) {
      return reply.code(400).send({ error: "invalid_query", message: `Invalid query: ${query.error.issues.map((i) => `${i.path.join(".") || "(query)"}: ${i.message}`).join("; ")}` });
    }
    return { conversations: o.store.listConversations(query.data.q) };
  });

  app.get("/api/conversations/:id", async (request, reply) => {
    const params = idParams.safeParse(request.params);
    if (!params.success) return reply.code(400).send({ error: "invalid_id", message: "A conversation id uses letters, digits, _ and -." });
    const conversation = o.store.getConversation(params.data.id);
    if (!conversation) return reply.code(404).send({ error: "not_found", message: "No such conversation (it may have been deleted)." });
    const run = o.hub.activeForConversation(conversation.id);
    return {
      conversation,
      messages: o.store.listMessages(conversation.id),
      pinnedFacts: o.store.listPinnedFacts(conversation.id),
      activeRun: run ? { runId: run.id, lastIndex: run.lastIndex } : null,
    };
  });
};
