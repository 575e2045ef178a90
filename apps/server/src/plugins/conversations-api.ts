import rateLimit from "@fastify/rate-limit";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Redis } from "ioredis";
import { idSchema, type Message, type ModelPrice, type ServerFrameOf } from "@alma/protocol";
import type { ConversationStore } from "@alma/store";
import type { AttachmentLimits } from "@alma/tools";
import { buildConversationExport } from "../export/conversation-export.js";
import { renderConversationMarkdown } from "../export/conversation-markdown.js";
import { attachmentDisposition, exportFileName } from "../export/export-file-name.js";
import { streamingAnswer } from "../chat/streaming-answer.js";
import type { RunHub } from "../runs/run-hub.js";
import type { RunSource } from "../runs/run-source.js";
import { secretMatches } from "../security/secret-matches.js";
import { attachmentsApiPlugin } from "./attachments-api.js";

/** `GET /api/conversations?q=`: an optional search text, nothing else */
export const listConversationsQuery = z.object({ q: z.string().max(500, "the search text is at most 500 characters").optional() }).strict();
/** `POST /api/conversations`: an optional title; without one, the first message gives it (as for a conversation a message starts) */
export const createConversationBody = z
  .object({ title: z.string().trim().max(200, "the title is at most 200 characters").optional() })
  .strict()
  .nullish();
/** `GET /api/conversations/:id` */
export const conversationParams = z.object({ id: idSchema });
/** `GET /api/conversations/:id/export?format=markdown|json` (markdown when left out) */
export const exportQuery = z.object({ format: z.enum(["markdown", "json"], { error: 'the format is "markdown" or "json"' }).default("markdown") }).strict();

const NOT_FOUND = { error: "not_found", message: "No such conversation (it may have been deleted)." };

function bearerMatches(expected: string, header: string | undefined): boolean {
  return secretMatches(expected, header?.startsWith("Bearer ") ? header.slice(7) : undefined);
}

/**
 * `GET /api/conversations`, `POST /api/conversations` (an empty one, to upload files to before the first message),
 * `GET /api/conversations/:id` (messages and pinned facts), `GET /api/conversations/:id/export` (a Markdown
 * transcript or the JSON export, as a download) and the attachments routes, rate-limited, token-guarded when set.
 */
export const conversationsApiPlugin: FastifyPluginAsyncZod<{
  store: ConversationStore;
  hub: RunHub;
  /** runs of every instance (with Redis), for the active run of a conversation answered elsewhere */
  runs: Pick<RunSource, "liveState">;
  authToken: string | null;
  requestsPerMinute: number;
  /** what answers cost, for the export's figures (ALMA_MODEL_PRICES over the known prices) */
  prices: readonly ModelPrice[];
  /** attachment size and count limits (ALMA_ATTACHMENT_MAX_BYTES, ALMA_ATTACHMENTS_PER_CONVERSATION, …) */
  attachmentLimits: AttachmentLimits;
  /** tells every tab of a new conversation, on every instance (chat/conversation-change-feed.ts) */
  listChanged: (frame: ServerFrameOf<"conversation.updated">) => void;
  /** with Redis: the instances count one window per address together; null: this server's own */
  rateLimitRedis: { redis: Redis; nameSpace: string } | null;
  now: () => number;
}> = async (app, o) => {
  await app.register(rateLimit, {
    max: o.requestsPerMinute,
    timeWindow: 60_000,
    // a Redis that does not answer for a moment lets requests through rather than failing them
    ...(o.rateLimitRedis ? { redis: o.rateLimitRedis.redis, nameSpace: o.rateLimitRedis.nameSpace, skipOnError: true } : {}),
  });

  app.addHook("onRequest", async (request, reply) => {
    if (o.authToken !== null && !bearerMatches(o.authToken, request.headers.authorization)) {
      await reply.code(401).send({ error: "unauthorized", message: "Send the server's access token as `Authorization: Bearer <ALMA_AUTH_TOKEN>`." });
    }
  });

  app.get("/api/conversations", { schema: { querystring: listConversationsQuery } }, async (request) => {
    return { conversations: await o.store.listConversations(request.query.q) };
  });

  app.post("/api/conversations", { schema: { body: createConversationBody } }, async (request, reply) => {
    const conversation = await o.store.createConversation(request.body?.title ?? "");
    o.listChanged({ type: "conversation.updated", conversation });
    return reply.code(201).send(conversation);
  });

  await app.register(attachmentsApiPlugin, { store: o.store, limits: o.attachmentLimits });

  /**
   * The conversation's run still being written: this instance's, or (with Redis) another's, found through its stored
   * streaming answer and its stream. `lastIndex` is where a `run.resume` picks it up.
   */
  const activeRunOf = async (conversationId: string, messages: readonly Message[]) => {
    const run = o.hub.activeForConversation(conversationId);
    if (run) return { runId: run.id, lastIndex: run.lastIndex };
    const answer = streamingAnswer(messages);
    // a Redis that does not answer leaves the stored conversation readable, without its live position
    const state = answer ? await o.runs.liveState(answer.runId).catch(() => null) : null;
    return answer && state ? { runId: answer.runId, lastIndex: state.lastIndex } : null;
  };

  app.get("/api/conversations/:id", { schema: { params: conversationParams } }, async (request, reply) => {
    const conversation = await o.store.getConversation(request.params.id);
    if (!conversation) return reply.code(404).send(NOT_FOUND);
    const [messages, pinnedFacts] = await Promise.all([o.store.listMessages(conversation.id), o.store.listPinnedFacts(conversation.id)]);
    return { conversation, messages, pinnedFacts, activeRun: await activeRunOf(conversation.id, messages) };
  });

  app.get("/api/conversations/:id/export", { schema: { params: conversationParams, querystring: exportQuery } }, async (request, reply) => {
    const conversation = await o.store.getConversation(request.params.id);
    if (!conversation) return reply.code(404).send(NOT_FOUND);
    const exported = buildConversationExport({
      conversation,
      messages: await o.store.listMessages(conversation.id),
      pinnedFacts: await o.store.listPinnedFacts(conversation.id),
      prices: o.prices,
      now: o.now(),
    });
    const markdown = request.query.format === "markdown";
    const fileName = exportFileName(conversation.title, conversation.id, markdown ? "md" : "json");
    return reply
      .header("content-disposition", attachmentDisposition(fileName))
      .header("cache-control", "no-store")
      .type(markdown ? "text/markdown; charset=utf-8" : "application/json; charset=utf-8")
      .send(markdown ? renderConversationMarkdown(exported) : `${JSON.stringify(exported, null, 2)}\n`);
  });
};
