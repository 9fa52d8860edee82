/**
 * Where a user's connections are, for fan-out to other nodes: presence lookups, coalesced and
 * cached.
 *
 * - Coalesced: the `routesOf` calls of one event-loop turn go to the presence store as ONE call
 *   for the union of their users (each caller gets the routes of its own users), and while a
 *   lookup is in flight the calls wait and form the next one (natural batching).
 * - Cached for `ttlMs` (0: not cached), including "no routes". A node that leases a new
 *   connection tells every other node first (route-changes.ts), and they `invalidate` that user
 *   before its socket is welcomed, so a cached answer never hides a connection from a message
 *   committed after that connection's welcome. A lookup that was in flight while an invalidation
 *   arrived answers its callers but is not cached (it may predate the new lease). Routes that
 *   went away (disconnects, dead nodes) may linger until the entry expires: a push to a node
 *   that no longer holds the user is dropped there.
 */
import { NaturalBatcher } from "@dim/shared/async";
import type { Presence, Route } from "@dim/infra";

/** Most distinct users in one lookup; a larger union is split over several calls. */
const MAX_BATCH_USERS = 1000;
/** Most callers in one lookup. */
const MAX_BATCH_CALLERS = 1000;
/** Most users cached; the entries stored longest ago go first. */
export const ROUTE_CACHE_MAX_USERS = 100_000;

export interface RouteLookupOptions {
  /** How long a looked-up answer is reused; 0 turns the cache off. */
  ttlMs: number;
  /** Default ROUTE_CACHE_MAX_USERS. */
  maxUsers?: number;
  /** Monotonic milliseconds (tests pass their own clock). */
  now?: () => number;
  /** Told per lookup how many users the cache answered and how many went to presence (metrics). */
  onLookup?: (hits: number, misses: number) => void;
}

interface Entry {
  routes: Route[];
  expiresAt: number;
}

export class RouteLookup {
  private readonly batcher: NaturalBatcher<string[], Map<string, Route[]>>;
  private readonly cache = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxUsers: number;
  private readonly now: () => number;
  private readonly onLookup: RouteLookupOptions["onLookup"];
  /** Bumped by every invalidation: a lookup that saw it change is not cached. */
  private generation = 0;

  constructor(
    private readonly presence: Pick<Presence, "routesOf">,
    opts: RouteLookupOptions,
  ) {
    if (!Number.isFinite(opts.ttlMs) || opts.ttlMs < 0) throw new RangeError("ttlMs must be ≥ 0");
    this.ttlMs = opts.ttlMs;
    this.maxUsers = opts.maxUsers ?? ROUTE_CACHE_MAX_USERS;
    this.now = opts.now ?? (() => performance.now());
    this.onLookup = opts.onLookup;
    this.batcher = new NaturalBatcher((lists) => this.lookup(lists), {
      maxItems: MAX_BATCH_CALLERS,
      sizeOf: (userIds) => userIds.length,
      maxSize: MAX_BATCH_USERS,
      collect: "turn",
    });
  }

  /** Live routes of these users (from the cache where it has them). */
  async routesOf(userIds: string[]): Promise<Route[]> {
    if (userIds.length === 0) return [];
    const now = this.now();
    const cached = new Map<string, Route[]>();
    const missing: string[] = [];
    for (const userId of userIds) {
      const hit = this.ttlMs > 0 ? this.cache.get(userId) : undefined;
      if (hit && hit.expiresAt > now) cached.set(userId, hit.routes);
      else if (!cached.has(userId)) missing.push(userId);
    }
    this.onLookup?.(cached.size, missing.length);
    const fetched = missing.length > 0 ? await this.batcher.submit(missing) : undefined;
    return userIds.flatMap((u) => cached.get(u) ?? fetched?.get(u) ?? []);
  }

  /** Forgets these users' routes (every user's when called without a list). */
  invalidate(userIds?: Iterable<string>): void {
    this.generation++;
    if (userIds === undefined) this.cache.clear();
    else for (const userId of userIds) this.cache.delete(userId);
  }

  /** Users cached now (expired entries included until looked up again). */
  get size(): number {
    return this.cache.size;
  }

  private async lookup(lists: string[][]): Promise<Array<{ value: Map<string, Route[]> }>> {
    const generation = this.generation;
    const users = [...new Set(lists.flat())];
    const routes = await this.presence.routesOf(users);
    const byUser = new Map<string, Route[]>(users.map((u) => [u, []]));
    for (const r of routes) byUser.get(r.userId)?.push(r);
    if (this.ttlMs > 0 && generation === this.generation) {
      const expiresAt = this.now() + this.ttlMs;
      for (const [userId, list] of byUser) this.remember(userId, { routes: list, expiresAt });
    }
    return lists.map(() => ({ value: byUser }));
  }

  private remember(userId: string, entry: Entry): void {
    this.cache.delete(userId); // re-inserted last: Map order is the eviction order
    if (this.cache.size >= this.maxUsers) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(userId, entry);
  }
}
