import { Prisma } from "@dim/db";
import type { ConversationSummary, MemberRole, Message, SystemEvent } from "@dim/shared";
import { toPublicUser } from "../auth/session";
import type { Db, Tx } from "../db";

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
  role: MemberRole;
  leftReason: "left" | "removed" | null;
  avatarAttachmentId: string | null;
  memberCount: bigint | number;
  peersDeliveredSeq: bigint | number | null;
  peersReadSeq: bigint | number | null;
  unread: bigint | number;
  unreadMentions: bigint | number;
  peerId: string | null;
  peerUsername: string | null;
  peerDisplayName: string | null;
  peerStatusText: string | null;
  peerAvatarId: string | null;
  lmId: string | null;
  lmSeq: bigint | number | null;
  lmSenderId: string | null;
  lmClientMsgId: string | null;
  lmKind: Message["kind"] | null;
  lmBody: string | null;
  lmSystem: SystemEvent | null;
  lmCreatedAt: Date | string | null;
  lmAttachment: Message["attachment"] | null;
  lmReplyTo: bigint | number | null;
  lmEditedAt: Date | string | null;
  lmDeletedAt: Date | string | null;
  lmMentions: string[] | null;
  lmMentionsAll: boolean | null;
}

const num = (v: bigint | number | null): number => (v === null ? 0 : Number(v));
const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();

/**
 * One query for the whole list: cursors, the last message, the other active members' lowest
 * cursors, the active member count, and the unread count — messages after my read cursor that
 * others sent (my own never count), counted on the (conversation_id, seq) index. Everything is
 * limited to my window [joined_seq, left_seq]: a former group shows its history up to my leaving.
 * With `conversationId`, only that conversation (an empty list when I never was in it).
 */
export async function listConversations(db: Db | Tx, me: string, opts: { conversationId?: string } = {}): Promise<ConversationSummary[]> {
  const only = opts.conversationId ? Prisma.sql`AND c.id = ${opts.conversationId}::uuid` : Prisma.empty;
  const rows = await db.$queryRaw<Row[]>`
    SELECT c.id::text AS id, c.kind::text AS kind, c.title, w.last_seq AS "lastSeq",
           c.updated_at AS "updatedAt", m.read_seq AS "readSeq", m.delivered_seq AS "deliveredSeq",
           m.role::text AS role, m.left_reason::text AS "leftReason", c.avatar_attachment_id::text AS "avatarAttachmentId",
           act.n AS "memberCount", act.delivered AS "peersDeliveredSeq", act.read AS "peersReadSeq",
           un.n AS unread, un.mentions AS "unreadMentions",
           peer.id::text AS "peerId", peer.username AS "peerUsername",
           peer.display_name AS "peerDisplayName", peer.status_text AS "peerStatusText", peer.avatar_id::text AS "peerAvatarId",
           lm.id::text AS "lmId", lm.seq AS "lmSeq", lm.sender_id::text AS "lmSenderId",
           lm.client_msg_id AS "lmClientMsgId", lm.kind::text AS "lmKind", lm.body AS "lmBody",
           lm.system AS "lmSystem", lm.created_at AS "lmCreatedAt", lm.attachment AS "lmAttachment",
           lm.reply_to AS "lmReplyTo", lm.edited_at AS "lmEditedAt", lm.deleted_at AS "lmDeletedAt",
           lm.mentions::text[] AS "lmMentions", lm.mentions_all AS "lmMentionsAll"
    FROM conversation_members m
    JOIN conversations c ON c.id = m.conversation_id
    CROSS JOIN LATERAL (SELECT LEAST(c.last_seq, COALESCE(m.left_seq, c.last_seq)) AS last_seq) w
    -- unread: after my read cursor, sent by others, no event rows, not hidden by me; of those, the
    -- texts that mention me (mentionsUser in @dim/shared: named, or @all; a tombstone has none)
    CROSS JOIN LATERAL (
      SELECT count(*) AS n,
             count(*) FILTER (WHERE u.kind = 'text' AND (u.mentions_all OR m.user_id = ANY(u.mentions))) AS mentions
      FROM messages u
      WHERE u.conversation_id = c.id AND u.seq > GREATEST(m.read_seq, m.joined_seq - 1) AND u.seq <= w.last_seq
        AND u.sender_id <> m.user_id AND u.target_seq IS NULL
        AND NOT EXISTS (SELECT 1 FROM message_hides h WHERE h.user_id = m.user_id AND h.conversation_id = c.id AND h.seq = u.seq)
    ) un
    LEFT JOIN LATERAL (
      SELECT count(*) AS n,
             min(o.delivered_seq) FILTER (WHERE o.user_id <> m.user_id) AS delivered,
             min(o.read_seq) FILTER (WHERE o.user_id <> m.user_id) AS read
      FROM conversation_members o
      WHERE o.conversation_id = c.id AND o.left_seq IS NULL
    ) act ON true
    LEFT JOIN LATERAL (
      SELECT u.id, u.username, u.display_name, u.status_text, u.avatar_id
      FROM conversation_members o JOIN users u ON u.id = o.user_id
      WHERE c.kind = 'direct' AND o.conversation_id = c.id AND o.user_id <> m.user_id
      LIMIT 1
    ) peer ON true
    -- the newest message (events — edits, deletes, reactions — are not "the last message"; nor
    -- are the ones I deleted for myself)
    LEFT JOIN LATERAL (
      SELECT * FROM messages x
      WHERE x.conversation_id = c.id AND x.seq <= w.last_seq AND x.seq >= m.joined_seq AND x.target_seq IS NULL
        AND NOT EXISTS (SELECT 1 FROM message_hides h WHERE h.user_id = m.user_id AND h.conversation_id = c.id AND h.seq = x.seq)
      ORDER BY x.seq DESC LIMIT 1
    ) lm ON true
    WHERE m.user_id = ${me}::uuid ${only}
    ORDER BY COALESCE(lm.created_at, c.updated_at) DESC, c.id
    LIMIT ${MAX_LISTED_CONVERSATIONS}`;

  return rows.map((r) => {
    const peer =
      r.peerId && r.peerUsername && r.peerDisplayName !== null
        ? toPublicUser({ id: r.peerId, username: r.peerUsername, displayName: r.peerDisplayName, statusText: r.peerStatusText ?? "", avatarId: r.peerAvatarId })
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
            ...(r.lmKind === "system" && r.lmSystem ? { system: r.lmSystem } : {}),
            ...((r.lmKind === "image" || r.lmKind === "file") && r.lmAttachment ? { attachment: r.lmAttachment } : {}),
            ...(r.lmReplyTo !== null ? { replyTo: num(r.lmReplyTo) } : {}),
            ...(r.lmEditedAt ? { editedAt: iso(r.lmEditedAt) } : {}),
            ...(r.lmDeletedAt ? { deletedAt: iso(r.lmDeletedAt) } : {}),
            ...(r.lmKind === "text" && !r.lmDeletedAt && r.lmMentions && r.lmMentions.length > 0 ? { mentions: r.lmMentions } : {}),
            ...(r.lmKind === "text" && !r.lmDeletedAt && r.lmMentionsAll ? { mentionsAll: true as const } : {}),
            createdAt: iso(r.lmCreatedAt),
          }
        : null;
    const membership = r.leftReason ?? "active";
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
      unreadMentions: num(r.unreadMentions),
      peersDeliveredSeq: num(r.peersDeliveredSeq),
      peersReadSeq: num(r.peersReadSeq),
      memberCount: num(r.memberCount),
      myRole: r.kind === "group" && membership === "active" ? r.role : null,
      membership,
      avatarAttachmentId: r.avatarAttachmentId,
      updatedAt: iso(lastMessage?.createdAt ?? r.updatedAt),
    };
  });
}
