/**
 * The session of a token and its user's membership of one conversation, in ONE statement (one
 * round trip): what every procedure about a conversation needs before it does anything.
 */
import { liveSession, SESSION_COLUMNS, SESSION_FROM, sessionKey, type ResolvedSession, type SessionRow } from "../auth/session";
import type { SqlRows, Statement } from "../sql";

export interface Membership {
  conversationId: string;
  readSeq: number;
  /** The last seq the member may see when the membership was read: the conversation's, or its left seq. */
  lastSeq: number;
  /** The member's window is [joinedSeq, leftSeq ?? +∞]; leftSeq is null while it is active. */
  joinedSeq: number;
  leftSeq: number | null;
}

/** `member` is null when the user never was a member (also when the conversation does not exist). */
export type ResolvedMember = { session: ResolvedSession; member: Membership | null };

export const SESSION_AND_MEMBERSHIP: Statement = {
  name: "session_and_membership",
  text: `
    SELECT ${SESSION_COLUMNS}, m.read_seq, LEAST(c.last_seq, COALESCE(m.left_seq, c.last_seq)) AS last_seq,
           m.joined_seq, m.left_seq
    FROM ${SESSION_FROM}
    LEFT JOIN conversation_members m ON m.conversation_id = $2::uuid AND m.user_id = s.user_id
    LEFT JOIN conversations c ON c.id = m.conversation_id
    WHERE s.token_hash = $1`,
};

/** int8 arrives as bigint through Prisma and as a decimal string through node-postgres. */
type Int8 = bigint | string;

/** null when there is no live session for the token. `conversationId` must be a UUID (validated input). */
export async function resolveMember(sql: SqlRows, token: string | null, conversationId: string): Promise<ResolvedMember | null> {
  const key = sessionKey(token);
  if (key === null) return null;
  const [row] = await sql<SessionRow & { read_seq: Int8 | null; last_seq: Int8 | null; joined_seq: Int8 | null; left_seq: Int8 | null }>(
    SESSION_AND_MEMBERSHIP,
    [key, conversationId],
  );
  const session = liveSession(row);
  if (!session || !row) return null;
  const member =
    row.read_seq === null || row.last_seq === null
      ? null
      : {
          conversationId,
          readSeq: Number(row.read_seq),
          lastSeq: Number(row.last_seq),
          joinedSeq: Number(row.joined_seq),
          leftSeq: row.left_seq === null ? null : Number(row.left_seq),
        };
  return { session, member };
}
