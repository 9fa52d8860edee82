/**
 * What presence (online / last seen) needs from PostgreSQL: who watches a user (its contacts),
 * each side's "hide my last seen", and the last-seen time a node stores when a user's last socket
 * closes. Online itself is not here: it is the presence leases (packages/infra). One statement
 * per call, for many users at once (a node's coalescing window). A block, either way, hides
 * both users' presence from each other: the pair is left out of both reads.
 */

import { AppError, ErrorCode, UUID_RE } from "@dim/shared";
import { noBlockBetween } from "./block-sql";
import type { PrismaClient } from "./create-prisma";

/** Neither of the contact row's two users blocked the other. */
const NO_BLOCK = noBlockBetween("c.owner_id", "c.peer_id");

/** One (subject, watcher) pair: `watcherId` has `subjectId` as a contact. */
export interface WatcherRow {
  subjectId: string;
  watcherId: string;
  subjectLastSeenAt: Date | null;
  subjectHidesLastSeen: boolean;
  watcherHidesLastSeen: boolean;
}

export interface ContactRow {
  userId: string;
  lastSeenAt: Date | null;
  hidesLastSeen: boolean;
}

export interface ContactPresenceStore {
  /** The contacts of each subject (who should hear of its presence), with the privacy flags. */
  watchersOf(subjectIds: string[]): Promise<WatcherRow[]>;
  /** A user's contacts with their last seen and flags, and the user's own flag. At most `limit`. */
  contactsOf(userId: string, limit: number): Promise<{ hidesLastSeen: boolean; contacts: ContactRow[] }>;
  /** Stores `at` as these users' last seen (never moves it back). */
  markLastSeen(userIds: string[], at: Date): Promise<void>;
}

function requireUuids(ids: string[]): void {
  for (const id of ids) if (!UUID_RE.test(id)) throw new AppError(ErrorCode.BadRequest, "user ids must be UUIDs");
}

interface RawWatcher {
  subject_id: string;
  watcher_id: string;
  last_seen_at: Date | null;
  subject_hides: boolean;
  watcher_hides: boolean;
}

export class PrismaContactPresenceStore implements ContactPresenceStore {
  constructor(private readonly prisma: PrismaClient) {}

  async watchersOf(subjectIds: string[]): Promise<WatcherRow[]> {
    if (subjectIds.length === 0) return [];
    requireUuids(subjectIds);
    const rows = await this.prisma.$queryRawUnsafe<RawWatcher[]>(
      `SELECT c.peer_id::text AS subject_id, c.owner_id::text AS watcher_id, s.last_seen_at,
             s.hide_last_seen AS subject_hides, w.hide_last_seen AS watcher_hides
      FROM contacts c
      JOIN users s ON s.id = c.peer_id
      JOIN users w ON w.id = c.owner_id
      WHERE c.peer_id = ANY($1::uuid[]) AND ${NO_BLOCK}`,
      subjectIds,
    );
    return rows.map((r) => ({
      subjectId: r.subject_id,
      watcherId: r.watcher_id,
      subjectLastSeenAt: r.last_seen_at,
      subjectHidesLastSeen: r.subject_hides,
      watcherHidesLastSeen: r.watcher_hides,
    }));
  }

  async contactsOf(userId: string, limit: number): Promise<{ hidesLastSeen: boolean; contacts: ContactRow[] }> {
    requireUuids([userId]);
    const [me] = await this.prisma.$queryRaw<Array<{ hide_last_seen: boolean }>>`
      SELECT hide_last_seen FROM users WHERE id = ${userId}::uuid`;
    const rows = await this.prisma.$queryRawUnsafe<Array<{ user_id: string; last_seen_at: Date | null; hide_last_seen: boolean }>>(
      `SELECT u.id::text AS user_id, u.last_seen_at, u.hide_last_seen
      FROM contacts c JOIN users u ON u.id = c.peer_id
      WHERE c.owner_id = $1::uuid AND ${NO_BLOCK}
      ORDER BY c.created_at, u.id LIMIT $2::int`,
      userId,
      limit,
    );
    return {
      hidesLastSeen: me?.hide_last_seen ?? false,
      contacts: rows.map((r) => ({ userId: r.user_id, lastSeenAt: r.last_seen_at, hidesLastSeen: r.hide_last_seen })),
    };
  }

  async markLastSeen(userIds: string[], at: Date): Promise<void> {
    if (userIds.length === 0) return;
    requireUuids(userIds);
    await this.prisma.$executeRaw`
      UPDATE users SET last_seen_at = GREATEST(COALESCE(last_seen_at, ${at}::timestamptz), ${at}::timestamptz)
      WHERE id = ANY(${userIds}::uuid[])`;
  }
}
