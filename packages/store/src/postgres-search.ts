import type { Conversation } from "@alma/protocol";
import type { Queryable } from "./postgres-attachments.js";
import { CONVERSATION_COLUMNS } from "./postgres-rows.js";
import { type ConversationRow, toConversation } from "./sqlite-rows.js";
import { excerpt } from "./conversation-search.js";

type Listed = Conversation & { snippet: string | null };

// ts_headline's plain-text fragment around the first match, no markers: the same shape as SQLite's excerpt
const HEADLINE = "StartSel='', StopSel='', MinWords=10, MaxWords=20, ShortWord=2";

/** The conversations newest first, each with the start of its last message (no query). */
export async function listRecent(q: Queryable): Promise<Listed[]> {
  const { rows } = await q.query<ConversationRow & { last_content: string | null }>(
    `SELECT ${CONVERSATION_COLUMNS},
       (SELECT content FROM messages m WHERE m.conversation_id = c.id ORDER BY seq DESC LIMIT 1) AS last_content
     FROM conversations c WHERE c.deleted_at IS NULL ORDER BY c.updated_at DESC, c.seq DESC`,
  );
  return rows.map((r) => ({ ...toConversation(r), snippet: r.last_content === null ? null : excerpt(r.last_content, undefined) }));
}

/**
 * PostgreSQL full-text search (English stemming, `websearch_to_tsquery`: words, "quoted phrases", -excluded, or)
 * over titles and message content. The snippet comes from the newest matching message: the words around the first
 * match, with "…" where the message goes on, as SQLite gives it. A query with no searchable word finds nothing.
 */
export async function searchConversations(q: Queryable, query: string): Promise<Listed[]> {
  const { rows } = await q.query<ConversationRow & { match_content: string | null; headline: string | null }>(
    `WITH search AS (SELECT websearch_to_tsquery('english', $1) AS tsq)
     SELECT ${CONVERSATION_COLUMNS}, hit.content AS match_content,
       CASE WHEN hit.content IS NULL THEN NULL ELSE ts_headline('english', left(hit.content, 200000), search.tsq, '${HEADLINE}') END AS headline
     FROM conversations c CROSS JOIN search
     LEFT JOIN LATERAL (
       SELECT m.content FROM messages m WHERE m.conversation_id = c.id AND m.search @@ search.tsq ORDER BY m.seq DESC LIMIT 1
     ) hit ON TRUE
     WHERE c.deleted_at IS NULL AND numnode(search.tsq) > 0 AND (c.title_search @@ search.tsq OR hit.content IS NOT NULL)
     ORDER BY c.updated_at DESC, c.seq DESC`,
    [query],
  );
  return rows.map((r) => ({ ...toConversation(r), snippet: r.match_content === null ? null : snippetOf(r.match_content, r.headline ?? "", query) }));
}

/** the literal query's surroundings when the message holds it (as SQLite shows), else the headline with its ellipses */
function snippetOf(content: string, headline: string, query: string): string {
  if (content.toLowerCase().includes(query.toLowerCase())) return excerpt(content, query);
  const flat = content.replace(/\s+/g, " ").trim();
  const part = headline.replace(/\s+/g, " ").trim();
  const at = flat.indexOf(part);
  if (!part || at < 0) return excerpt(content, undefined);
  return `${at > 0 ? "…" : ""}${part}${at + part.length < flat.length ? "…" : ""}`;
}
