import type { ConversationSummary, Message } from "@dim/shared";
import type { Db } from "../db";

/** Most conversations listed (most recent activity first). */
export const MAX_LISTED_CONVERSATIONS = 500;

interface Row {
  id: string;
  kind: "direct" | "group";
  title: string | null;
  lastSeq: bigint | number;
  updatedAt: Date | string;
  readSeq: bigint | number;
  deliveredSeq: bigint | number;
  peersDeliveredSeq: bigint | number | null;
  peersReadSeq: bigint | number | null;
  unread: bigint | number;
  peerId: string | null;
  peerUsername: string | null;
  peerDisplayName: string | null;
  peerAvatarUrl: string | null;
  lmId: string | null;
  lmSeq: bigint | number | null;
  lmSenderId: string | null;
  lmClientMsgId: string | null;
  lmKind: Message["kind"] | null;
  lmBody: string | null;
  lmCreatedAt: Date | string | null;
}

const num = (v: bigint | number | null): number => (v === null ? 0 : Number(v));
const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();

/**
 * One query for the whole list: cursors, the last message, the other members' lowest cursors,
 * and the unread count — messages after my read cursor that others sent (my own never count),
 * counted on the (conversation_id, seq) index.
 */
export async function listConversations(db: Db, me: string): Promise<ConversationSummary[]> {
  const rows = await db.$queryRaw<Row[]>`
    SELECT c.id::text AS id, c.kind::text AS kind, c.title, c.last_seq AS "lastSeq",
           c.updated_at AS "updatedAt", m.read_seq AS "readSeq", m.delivered_seq AS "deliveredSeq",
           peers.delivered AS "peersDeliveredSeq", peers.read AS "peersReadSeq",
           (SELECT count(*) FROM messages u
             WHERE u.conversation_id = c.id AND u.seq > m.read_seq AND u.sender_id <> m.user_id) AS unread,
           peer.id::text AS "peerId", peer.username AS "peerUsername",
           peer.display_name AS "peerDisplayName", peer.avatar_url AS "peerAvatarUrl",
           lm.id::text AS "lmId", lm.seq AS "lmSeq", lm.sender_id::text AS "lmSenderId",
           lm.client_msg_id AS "lmClientMsgId", lm.kind::text AS "lmKind", lm.body AS "lmBody",
           lm.created_at AS "lmCreatedAt"
    FROM conversation_members m
    JOIN conversations c ON c.id = m.conversation_id
    LEFT JOIN LATERAL (
      SELECT min(o.delivered_seq) AS delivered, min(o.read_seq) AS read
      FROM conversation_members o
      WHERE o.conversation_id = c.id AND o.user_id <> m.user_id
    ) peers ON true
    LEFT JOIN LATERAL (
      SELECT u.id, u.username, u.display_name, u.avatar_url
      FROM conversation_members o JOIN users u ON u.id = o.user_id
      WHERE c.kind = 'direct' AND o.conversation_id = c.id AND o.user_id <> m.user_id
      LIMIT 1
    ) peer ON true
    LEFT JOIN messages lm ON lm.conversation_id = c.id AND lm.seq = c.last_seq
    WHERE m.user_id = ${me}::uuid
    ORDER BY COALESCE(lm.created_at, c.updated_at) DESC, c.id
    LIMIT ${MAX_LISTED_CONVERSATIONS}`;

  return rows.map((r) => {
    const peer =
      r.peerId && r.peerUsername && r.peerDisplayName !== null
        ? { id: r.peerId, username: r.peerUsername, displayName: r.peerDisplayName, avatarUrl: r.peerAvatarUrl }
        : null;
    const lastMessage: Message | null =
      r.lmId && r.lmSenderId && r.lmClientMsgId && r.lmKind && r.lmBody !== null && r.lmCreatedAt
        ? {
            id: r.lmId,
            conversationId: r.id,
            seq: num(r.lmSeq),
            senderId: r.lmSenderId,
            clientMsgId: r.lmClientMsgId,
            kind: r.lmKind,
            body: r.lmBody,
            createdAt: iso(r.lmCreatedAt),
          }
        : null;
    return {
      id: r.id,
      kind: r.kind,
      title: r.title ?? peer?.displayName ?? "",
      peer,
      lastMessage,
      lastSeq: num(r.lastSeq),
      readSeq: num(r.readSeq),
      deliveredSeq: num(r.deliveredSeq),
      unreadCount: num(r.unread),
      peersDeliveredSeq: num(r.peersDeliveredSeq),
      peersReadSeq: num(r.peersReadSeq),
      updatedAt: iso(lastMessage?.createdAt ?? r.updatedAt),
    };
  });
}
