import { Prisma } from "@dim/db";
import { AppError, ErrorCode, type SearchMessagesInput, type SearchMessagesOutput } from "@dim/shared";
import type { Db } from "../db";
import { decodeSearchCursor, encodeSearchCursor } from "./search-cursor";
import { buildSnippet } from "./snippet";

interface Row {
  id: string;
  conversationId: string;
  conversationKind: "direct" | "group";
  title: string | null;
  seq: bigint | number;
  senderId: string;
  senderUsername: string;
  senderDisplayName: string;
  body: string;
  createdAt: Date;
  editedAt: Date | null;
}

/** Escapes LIKE's wildcards: the query is matched literally. */
const likeContains = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Messages of your windows (each membership's [joined_seq, left_seq]) that match `query` as
 * words (tsvector, 'simple' config) or as a substring (ILIKE on the trigram index: Chinese and
 * other unsegmented text). Only live text / image / file messages (their folded, current body):
 * never events, system messages, messages deleted for everyone or hidden by you. Newest first.
 */
export async function searchMessages(db: Db, me: string, input: SearchMessagesInput): Promise<SearchMessagesOutput> {
  const cursor = input.cursor === undefined ? null : decodeSearchCursor(input.cursor);
  if (input.conversationId !== undefined) {
    const member = await db.conversationMember.findUnique({
      where: { conversationId_userId: { conversationId: input.conversationId, userId: me } },
      select: { userId: true },
    });
    if (!member) throw new AppError(ErrorCode.Forbidden, "you are not a member of this conversation");
  }
  const only = input.conversationId ? Prisma.sql`AND w.conversation_id = ${input.conversationId}::uuid` : Prisma.empty;
  const after = cursor
    ? Prisma.sql`AND (m.created_at, m.id) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`
    : Prisma.empty;
  const rows = await db.$queryRaw<Row[]>`
    SELECT m.id::text AS id, m.conversation_id::text AS "conversationId", c.kind::text AS "conversationKind",
           COALESCE(c.title, (
             SELECT COALESCE(u.display_name, u.username) FROM conversation_members o JOIN users u ON u.id = o.user_id
             WHERE o.conversation_id = c.id AND o.user_id <> w.user_id ORDER BY o.joined_at LIMIT 1
           )) AS title,
           m.seq, m.sender_id::text AS "senderId", s.username AS "senderUsername",
           COALESCE(s.display_name, s.username) AS "senderDisplayName",
           m.body, m.created_at AS "createdAt", m.edited_at AS "editedAt"
    FROM conversation_members w
    JOIN conversations c ON c.id = w.conversation_id
    JOIN messages m ON m.conversation_id = w.conversation_id
      AND m.seq >= w.joined_seq AND m.seq <= COALESCE(w.left_seq, ${Number.MAX_SAFE_INTEGER})
    JOIN users s ON s.id = m.sender_id
    WHERE w.user_id = ${me}::uuid ${only}
      AND m.deleted_at IS NULL AND m.kind IN ('text', 'image', 'file')
      AND (to_tsvector('simple'::regconfig, m.body) @@ plainto_tsquery('simple'::regconfig, ${input.query})
           OR m.body ILIKE ${likeContains(input.query)} ESCAPE '\\')
      AND NOT EXISTS (SELECT 1 FROM message_hides h WHERE h.user_id = w.user_id AND h.conversation_id = m.conversation_id AND h.seq = m.seq)
      ${after}
    ORDER BY m.created_at DESC, m.id DESC
    LIMIT ${input.limit + 1}`;
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    results: page.map((r) => ({
      messageId: r.id,
      conversation: { id: r.conversationId, kind: r.conversationKind, title: r.title ?? "" },
      seq: Number(r.seq),
      sender: { id: r.senderId, username: r.senderUsername, displayName: r.senderDisplayName },
      createdAt: r.createdAt.toISOString(),
      editedAt: r.editedAt ? r.editedAt.toISOString() : null,
      snippet: buildSnippet(r.body, input.query),
    })),
    nextCursor: rows.length > input.limit && last ? encodeSearchCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null,
  };
}

/** conversations.seqAt: the first message of the window at or after `at`, else the window's last. */
export async function seqAt(db: Db, me: string, conversationId: string, at: string): Promise<number | null> {
  const rows = await db.$queryRaw<{ seq: bigint | number | null }[]>`
    SELECT COALESCE(
      (SELECT min(m.seq) FROM messages m WHERE m.conversation_id = w.conversation_id AND m.seq >= w.joined_seq
         AND m.seq <= COALESCE(w.left_seq, ${Number.MAX_SAFE_INTEGER}) AND m.target_seq IS NULL AND m.created_at >= ${at}::timestamptz),
      (SELECT max(m.seq) FROM messages m WHERE m.conversation_id = w.conversation_id AND m.seq >= w.joined_seq
         AND m.seq <= COALESCE(w.left_seq, ${Number.MAX_SAFE_INTEGER}) AND m.target_seq IS NULL)
    ) AS seq
    FROM conversation_members w WHERE w.conversation_id = ${conversationId}::uuid AND w.user_id = ${me}::uuid`;
  const v = rows[0]?.seq;
  return v === null || v === undefined ? null : Number(v);
}
