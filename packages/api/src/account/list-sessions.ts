/** account.sessions: the caller's live sessions, newest use first, the calling one marked. */
import type { SessionInfo } from "@dim/shared";
import type { Db } from "../db";

export async function listSessions(db: Db, userId: string, currentSessionId: string): Promise<SessionInfo[]> {
  const rows = await db.session.findMany({
    where: { userId, expiresAt: { gt: new Date() } },
    orderBy: [{ lastUsedAt: { sort: "desc", nulls: "last" } }, { createdAt: "desc" }, { id: "asc" }],
    take: 200,
  });
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.createdAt.toISOString(),
    // Set at sign-in and at each socket connection (nodes.assign); older rows may lack it.
    lastUsedAt: (r.lastUsedAt ?? r.createdAt).toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    userAgent: r.userAgent,
    ip: r.ip,
    current: r.id === currentSessionId,
  }));
}
