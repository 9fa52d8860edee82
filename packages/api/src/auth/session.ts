/**
 * Gateway sessions: an opaque random token goes to the client; only its SHA-256 is stored, so a
 * leaked database does not leak usable sessions.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { PublicUser } from "@dim/shared";
import type { Db } from "../db";

export const SESSION_COOKIE = "dim_session";

/** Longer than any token we issue (43 chars), so junk is rejected before hashing. */
const MAX_TOKEN_CHARS = 128;

export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createSession(
  db: Db,
  userId: string,
  ttlMs: number,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + ttlMs);
  await db.session.create({
    data: { id: randomUUID(), userId, tokenHash: hashSessionToken(token), expiresAt },
  });
  return { token, expiresAt };
}

export interface ResolvedSession {
  sessionId: string;
  user: PublicUser;
  expiresAt: Date;
}

export function toPublicUser(u: { id: string; username: string; displayName: string; avatarUrl: string | null }): PublicUser {
  return { id: u.id, username: u.username, displayName: u.displayName, avatarUrl: u.avatarUrl };
}

/** The live session of a token, or null (unknown, malformed or expired). */
export async function resolveSession(db: Db, token: string | null): Promise<ResolvedSession | null> {
  if (!token || token.length > MAX_TOKEN_CHARS) return null;
  const row = await db.session.findUnique({
    where: { tokenHash: hashSessionToken(token) },
    include: { user: { select: { id: true, username: true, displayName: true, avatarUrl: true } } },
  });
  if (!row || row.expiresAt.getTime() <= Date.now()) return null;
  return { sessionId: row.id, user: toPublicUser(row.user), expiresAt: row.expiresAt };
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  if (token.length > MAX_TOKEN_CHARS) return;
  await db.session.deleteMany({ where: { tokenHash: hashSessionToken(token) } });
}

/** Housekeeping on login: a user's expired sessions are removed. */
export async function deleteExpiredSessions(db: Db, userId: string): Promise<void> {
  await db.session.deleteMany({ where: { userId, expiresAt: { lte: new Date() } } });
}
