/**
 * The answer to `presence.query`: every contact of the user (up to maxPresenceQueryContacts) as
 * the user may see it, online from the presence leases (uncached: the truth now), last seen from
 * PostgreSQL. Rate: one query per socket per presenceQueryMinIntervalMs.
 */
import { AppError, EphemeralLimits, ErrorCode } from "@dim/shared";
import type { ContactPresenceStore } from "@dim/db";
import type { Presence } from "@dim/infra";
import type { ClientConnection } from "./client-connection";
import { presenceFrames, visiblePresence } from "./presence-entry";

export interface PresenceSnapshotDeps {
  store: Pick<ContactPresenceStore, "contactsOf">;
  presence: Pick<Presence, "routesOf">;
  now?: () => number;
}

export class PresenceSnapshot {
  private readonly lastQuery = new WeakMap<ClientConnection, number>();
  private readonly now: () => number;

  constructor(private readonly deps: PresenceSnapshotDeps) {
    this.now = deps.now ?? (() => performance.now());
  }

  async answer(conn: ClientConnection, userId: string): Promise<void> {
    const now = this.now();
    const last = this.lastQuery.get(conn);
    if (last !== undefined && now - last < EphemeralLimits.presenceQueryMinIntervalMs) {
      const retryAfterMs = Math.ceil(EphemeralLimits.presenceQueryMinIntervalMs - (now - last));
      throw new AppError(ErrorCode.RateLimited, `at most one presence.query every ${EphemeralLimits.presenceQueryMinIntervalMs} ms`, { retryAfterMs });
    }
    this.lastQuery.set(conn, now);
    const { hidesLastSeen, contacts } = await this.deps.store.contactsOf(userId, EphemeralLimits.maxPresenceQueryContacts);
    const routes = contacts.length > 0 ? await this.deps.presence.routesOf(contacts.map((c) => c.userId)) : [];
    const online = new Set(routes.map((r) => r.userId));
    const entries = contacts.map((c) => visiblePresence(c.userId, online.has(c.userId), c.lastSeenAt, c.hidesLastSeen, hidesLastSeen));
    for (const frame of presenceFrames(entries, true)) conn.send(frame);
  }
}
