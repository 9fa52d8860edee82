/**
 * Signing sessions out (account.signOutSession, signOutOthers, changePassword, delete): the rows
 * are deleted first — from then on the session's tokens are refused by the gateway and by every
 * core node at `auth` — then every live node is told (`session.ended`, as auth.logout does) to
 * close that session's open sockets with SessionEnded (4402).
 */
import type { Context } from "../context";
import type { SqlRows, Statement } from "../sql";
import { announceSessionEnded } from "../auth/announce-session-ended";

const DELETE_ONE: Statement = {
  name: "account_delete_session",
  text: "DELETE FROM sessions WHERE id = $1::uuid AND user_id = $2::uuid RETURNING id::text AS session_id",
};

const DELETE_OTHERS: Statement = {
  name: "account_delete_other_sessions",
  text: "DELETE FROM sessions WHERE user_id = $1::uuid AND id <> $2::uuid RETURNING id::text AS session_id",
};

/** Deletes the user's session `sessionId`; false when the user has no such session. */
export async function deleteOwnSession(sql: SqlRows, userId: string, sessionId: string): Promise<boolean> {
  const rows = await sql<{ session_id: string }>(DELETE_ONE, [sessionId, userId]);
  return rows.length > 0;
}

/** Deletes every session of the user but `keepSessionId` (none kept for a random id); returns their ids. */
export async function deleteOtherSessions(sql: SqlRows, userId: string, keepSessionId: string): Promise<string[]> {
  const rows = await sql<{ session_id: string }>(DELETE_OTHERS, [userId, keepSessionId]);
  return rows.map((r) => r.session_id);
}

/** Tells every node to close the sockets of these (already deleted) sessions. Never throws. */
export async function announceEnded(ctx: Context, userId: string, sessionIds: string[]): Promise<void> {
  if (!ctx.bus || sessionIds.length === 0) return;
  const bus = ctx.bus;
  await Promise.all(sessionIds.map((sessionId) => announceSessionEnded({ bus, registry: ctx.registry, logger: ctx.log }, { sessionId, userId })));
}
