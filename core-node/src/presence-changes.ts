/**
 * Online / offline changes of this node's users, told to their contacts who are online,
 * coalesced: the users whose sockets came or went within one window (DIM_PRESENCE_COALESCE_MS)
 * are handled together at its end — one presence lookup, one last-seen UPDATE, one contacts
 * query, one `presence` frame per local recipient socket and one record per node holding
 * recipients (split only past the envelope bounds). So a mass disconnect or reconnect (a node
 * dying with thousands of sockets, its users coming back elsewhere) costs each recipient one
 * frame per window per node, not one per socket.
 *
 * A user is online while any presence lease of theirs is live (any node). A user found without
 * one at the window's end is offline: its last seen is stored as that moment. Best effort, like
 * every push: clients read the full picture with `presence.query` after each welcome.
 */
import { encodeNodeEnvelope, EphemeralLimits, type ContactPresence, type PresenceEnvelope } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import type { ContactPresenceStore } from "@dim/db";
import type { Bus, Presence } from "@dim/infra";
import type { LocalConnections } from "./local-connections";
import { presenceFrames, visiblePresence } from "./presence-entry";
import type { RouteLookup } from "./route-lookup";

export interface PresenceChangesDeps {
  nodeId: () => string;
  store: Pick<ContactPresenceStore, "watchersOf" | "markLastSeen">;
  /** Uncached: whether a user still has a socket anywhere. */
  presence: Pick<Presence, "routesOf">;
  /** The node's cached lookup: where the recipients are. */
  routes: Pick<RouteLookup, "routesOf">;
  bus: Pick<Bus, "publish">;
  connections: LocalConnections;
  coalesceMs: number;
  logger: Logger;
  now?: () => Date;
}

/** Most contact entries in one bus record (≈ 100 bytes each: well inside the envelope bound). */
const MAX_ENTRIES_PER_RECORD = 2_000;
/** Most users handled in one window's statements; more wait for the next window. */
const MAX_USERS_PER_WINDOW = 5_000;

export class PresenceChanges {
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** Windows are announced one after another, never two at once. */
  private chain: Promise<void> = Promise.resolve();
  private readonly now: () => Date;

  constructor(private readonly deps: PresenceChangesDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** A socket of this user was welcomed or closed here: its contacts hear at the window's end. */
  changed(userId: string): void {
    this.pending.add(userId);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.deps.coalesceMs);
    this.timer.unref?.();
  }

  /** Handles everything pending now (and what arrives meanwhile); node stop awaits it. Never rejects. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.chain = this.chain.then(() => this.drainPending());
    return this.chain;
  }

  private async drainPending(): Promise<void> {
    while (this.pending.size > 0) {
      const users = [...this.pending].slice(0, MAX_USERS_PER_WINDOW);
      for (const u of users) this.pending.delete(u);
      await this.announce(users).catch((err: unknown) => {
        this.deps.logger.warn({ err, users: users.length }, "presence changes not announced; contacts will see them on their next presence.query");
      });
    }
  }

  /** A record from another node: one frame per local socket of each recipient named. */
  onEnvelope(envelope: PresenceEnvelope): void {
    const byRecipient = new Map<string, ContactPresence[]>();
    for (const update of envelope.updates) {
      const list = byRecipient.get(update.to);
      if (list) list.push(...update.contacts);
      else byRecipient.set(update.to, [...update.contacts]);
    }
    for (const [to, contacts] of byRecipient) this.pushLocal(to, contacts);
  }

  private async announce(users: string[]): Promise<void> {
    const routes = await this.deps.presence.routesOf(users);
    const online = new Set(routes.map((r) => r.userId));
    for (const u of users) if (this.deps.connections.hasUser(u)) online.add(u);
    const offline = users.filter((u) => !online.has(u));
    await this.deps.store.markLastSeen(offline, this.now());
    const rows = await this.deps.store.watchersOf(users);
    const byWatcher = new Map<string, ContactPresence[]>();
    for (const row of rows) {
      const entry = visiblePresence(row.subjectId, online.has(row.subjectId), row.subjectLastSeenAt, row.subjectHidesLastSeen, row.watcherHidesLastSeen);
      const list = byWatcher.get(row.watcherId);
      if (list) list.push(entry);
      else byWatcher.set(row.watcherId, [entry]);
    }
    if (byWatcher.size === 0) return;
    for (const [watcher, contacts] of byWatcher) this.pushLocal(watcher, contacts);
    const self = this.deps.nodeId();
    const byNode = new Map<string, Set<string>>();
    for (const route of await this.deps.routes.routesOf([...byWatcher.keys()])) {
      if (route.nodeId === self) continue;
      let set = byNode.get(route.nodeId);
      if (!set) byNode.set(route.nodeId, (set = new Set()));
      set.add(route.userId);
    }
    // Awaited: a stopping node's last window is on the bus before the bus closes, and a slow bus
    // makes the next window larger rather than piling up records.
    const published: Array<Promise<void>> = [];
    for (const [nodeId, recipients] of byNode) {
      for (const envelope of this.records(self, recipients, byWatcher)) {
        const { key, payload } = encodeNodeEnvelope(envelope);
        published.push(
          this.deps.bus.publish(nodeId, key, payload).catch((err: unknown) => {
            this.deps.logger.warn({ err, targetNodeId: nodeId }, "presence record not published; contacts there will query");
          }),
        );
      }
    }
    await Promise.all(published);
  }

  /** The updates for one node's recipients, in records within the envelope bounds. */
  private records(from: string, recipients: Set<string>, byWatcher: Map<string, ContactPresence[]>): PresenceEnvelope[] {
    const records: PresenceEnvelope[] = [];
    let updates: PresenceEnvelope["updates"] = [];
    let entries = 0;
    const cut = () => {
      if (updates.length > 0) records.push({ type: "presence", from, updates });
      updates = [];
      entries = 0;
    };
    for (const to of recipients) {
      const contacts = byWatcher.get(to) ?? [];
      for (let i = 0; i < contacts.length; i += EphemeralLimits.maxPresenceEntries) {
        const chunk = contacts.slice(i, i + EphemeralLimits.maxPresenceEntries);
        if (entries + chunk.length > MAX_ENTRIES_PER_RECORD || updates.length >= 1_000) cut();
        updates.push({ to, contacts: chunk });
        entries += chunk.length;
      }
    }
    cut();
    return records;
  }

  private pushLocal(userId: string, contacts: ContactPresence[]): void {
    let frames: ReturnType<typeof presenceFrames> | undefined;
    for (const conn of this.deps.connections.ofUser(userId)) {
      frames ??= presenceFrames(contacts, false);
      for (const frame of frames) conn.send(frame);
    }
  }
}
