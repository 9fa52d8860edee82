/**
 * Gateway sessions: an opaque random token goes to the client; only its SHA-256 is stored, so a
 * leaked database does not leak usable sessions.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { PublicUser } from "@dim/shared";
import type { Db } from "../db";
import type { SqlRows, Statement } from "../sql";

export const SESSION_COOKIE = "dim_session";

/** Longer than any token we issue (43 chars), so junk is rejected before hashing. */
const MAX_TOKEN_CHARS = 128;

export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Where a session was opened from (the admin's user lookup shows it). Bounded to the columns. */
export interface SessionOrigin {
  userAgent: string | null;
  ip: string | null;
}

export async function createSession(
  db: Db,
  userId: string,
  ttlMs: number,
  origin: SessionOrigin = { userAgent: null, ip: null },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const now = new Date();
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db.session.create({
    data: {
      id: randomUUID(),
      userId,
      tokenHash: hashSessionToken(token),
      expiresAt,
      // Both from this clock, so "last used" is never before "created".
      createdAt: now,
      lastUsedAt: now,
      userAgent: origin.userAgent?.slice(0, 256) ?? null,
      ip: origin.ip?.slice(0, 64) ?? null,
    },
  });
  return { token, expiresAt };
}

export interface ResolvedSession {
  sessionId: string;
  user: PublicUser;
  /** May call admin.* (read with the session, so the check costs no extra query). */
  isAdmin: boolean;
  expiresAt: Date;
}

export function toPublicUser(u: { id: string; username: string; displayName: string; avatarUrl: string | null }): PublicUser {
  return { id: u.id, username: u.username, displayName: u.displayName, avatarUrl: u.avatarUrl };
}

/** What a session lookup selects: extend it (joins, columns) for lookups that need more. */
export const SESSION_COLUMNS =
  "s.id::text AS session_id, s.expires_at, u.id::text AS user_id, u.username, u.display_name, u.avatar_url, u.is_admin";
/**
 * A disabled user has no live session even if one was created in a race with the disabling
 * (a login that checked the account just before it was disabled).
 */
export const SESSION_FROM = "sessions s JOIN users u ON u.id = s.user_id AND u.disabled_at IS NULL";

export interface SessionRow {
  session_id: string;
  expires_at: Date;
  user_id: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
  is_admin: boolean;
}

const SESSION_BY_TOKEN: Statement = {
  name: "session_by_token",
  text: `SELECT ${SESSION_COLUMNS} FROM ${SESSION_FROM} WHERE s.token_hash = $1`,
};

/** The token's hash when it can be a token at all (junk is rejected before hashing). */
export function sessionKey(token: string | null): string | null {
  return token && token.length <= MAX_TOKEN_CHARS ? hashSessionToken(token) : null;
}

/** A row of SESSION_COLUMNS as a live session, or null when it expired. */
export function liveSession(row: SessionRow | undefined): ResolvedSession | null {
  if (!row || row.expires_at.getTime() <= Date.now()) return null;
  return {
    sessionId: row.session_id,
    user: toPublicUser({ id: row.user_id, username: row.username, displayName: row.display_name, avatarUrl: row.avatar_url }),
    isAdmin: row.is_admin,
    expiresAt: row.expires_at,
  };
}

/**
 * The live session of a token, or null (unknown, malformed or expired). Read from the database at
 * every request (no cache): a logout, on any gateway process, ends the session at once.
 */
export async function resolveSession(sql: SqlRows, token: string | null): Promise<ResolvedSession | null> {
  const key = sessionKey(token);
  if (key === null) return null;
  const [row] = await sql<SessionRow>(SESSION_BY_TOKEN, [key]);
  return liveSession(row);
}

const DELETE_SESSION: Statement = {
  name: "delete_session",
  text: "DELETE FROM sessions WHERE token_hash = $1 RETURNING id::text AS session_id, user_id::text AS user_id",
};

/** Deletes the token's session; returns which one it was (null when there was none). */
export async function deleteSession(sql: SqlRows, token: string): Promise<{ sessionId: string; userId: string } | null> {
  const key = sessionKey(token);
  if (key === null) return null;
  const [row] = await sql<{ session_id: string; user_id: string }>(DELETE_SESSION, [key]);
  return row ? { sessionId: row.session_id, userId: row.user_id } : null;
}

/** Housekeeping on login: a user's expired sessions are removed. */
export async function deleteExpiredSessions(db: Db, userId: string): Promise<void> {
  await db.session.deleteMany({ where: { userId, expiresAt: { lte: new Date() } } });
}
