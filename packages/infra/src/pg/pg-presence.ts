// Embedded presence on PostgreSQL: the presence_leases table.
import type pg from "pg";
import { AppError, ErrorCode, UUID_RE } from "@dim/shared";
import { createLogger, type Logger } from "@dim/shared/node";
import { assertTtl } from "../lease-ttl";
import { checkCappedClaim } from "../socket-cap";
import type { Presence, Route } from "../types";
import { resolvePool, ttlSql, type PgOptions } from "./pg-pool";

export interface PgPresenceOptions extends PgOptions {
  logger?: Logger;
  /** How often expired rows are deleted (default 60 s; 0 disables). Reads ignore them anyway. */
  cleanupMs?: number;
}

const MAX_ID = 64;

// Statements are named: prepared once per pooled connection, not parsed and planned per call.
const CLAIM_SQL = `
  INSERT INTO presence_leases (user_id, connection_id, node_id, expires_at)
  SELECT u, c, n, now() + ${ttlSql("$4")} FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(u, c, n)
  ON CONFLICT (user_id, connection_id) DO UPDATE SET node_id = EXCLUDED.node_id, expires_at = EXCLUDED.expires_at`;

/** Compare-and-delete: a stale node's release never removes a route another node now holds. */
const RELEASE_SQL = `
  DELETE FROM presence_leases p USING unnest($1::uuid[], $2::text[], $3::text[]) AS t(u, c, n)
  WHERE p.user_id = t.u AND p.connection_id = t.c AND p.node_id = t.n`;

/**
 * The per-user socket cap serialises one user's new sockets across processes: a transaction-scoped
 * advisory lock per user, taken in a fixed order (no deadlock between two batches).
 */
const CAP_LOCK_SQL = `
  SELECT pg_advisory_xact_lock(hashtextextended('dim-presence-cap:' || u, 0))
  FROM (SELECT DISTINCT u FROM unnest($1::text[]) AS t(u) ORDER BY u) s`;

const LIVE_SQL = `
  SELECT user_id, connection_id FROM presence_leases
  WHERE user_id = ANY($1::uuid[]) AND expires_at > now()`;

const ROUTES_SQL = `
  SELECT user_id, node_id, connection_id FROM presence_leases
  WHERE user_id = ANY($1::uuid[]) AND expires_at > now()`;

// Re-checked under the row lock, so a lease renewed meanwhile survives.
const CLEANUP_SQL = `DELETE FROM presence_leases WHERE expires_at <= now()`;

/**
 * Embedded presence shared by processes through the `presence_leases` table: one lease per
 * (user, connection) with an expiry in database time, so every process agrees on it.
 */
export class PgPresence implements Presence {
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly logger: Logger;
  private readonly timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(opts: PgPresenceOptions) {
    this.logger = opts.logger ?? createLogger("infra-pg-presence");
    ({ pool: this.pool, owned: this.ownsPool } = resolvePool(opts, "dim-presence", this.logger));
    const cleanupMs = opts.cleanupMs ?? 60_000;
    if (cleanupMs > 0) {
      this.timer = setInterval(() => void this.cleanup(), cleanupMs);
      this.timer.unref();
    }
  }

  async claim(routes: Route[], ttlMs: number): Promise<void> {
    this.assertOpen();
    assertTtl(ttlMs);
    // One row per (user, connection), last wins: ON CONFLICT cannot touch a row twice.
    const unique = new Map<string, Route>();
    for (const route of routes) {
      assertRoute(route);
      unique.set(`${route.userId}\u0000${route.connectionId}`, route);
    }
    if (unique.size === 0) return;
    const list = [...unique.values()];
    await this.pool.query({
      name: "dim_presence_claim",
      text: CLAIM_SQL,
      values: [list.map((r) => r.userId), list.map((r) => r.connectionId), list.map((r) => r.nodeId), ttlMs],
    });
  }

  async claimCapped(routes: Route[], maxPerUser: number, ttlMs: number): Promise<boolean[]> {
    this.assertOpen();
    if (!checkCappedClaim(routes, maxPerUser, ttlMs, assertRoute)) return [];
    const userIds = [...new Set(routes.map((r) => r.userId))];
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query({ name: "dim_presence_cap_lock", text: CAP_LOCK_SQL, values: [userIds] });
      const live = await client.query<{ user_id: string; connection_id: string }>({ name: "dim_presence_live", text: LIVE_SQL, values: [userIds] });
      const held = new Map<string, Set<string>>();
      for (const row of live.rows) {
        const conns = held.get(row.user_id) ?? new Set<string>();
        held.set(row.user_id, conns.add(row.connection_id));
      }
      const granted = new Map<string, Route>();
      const claimed = routes.map((route) => {
        const conns = held.get(route.userId) ?? new Set<string>();
        held.set(route.userId, conns);
        const others = conns.size - (conns.has(route.connectionId) ? 1 : 0);
        if (others >= maxPerUser) return false;
        conns.add(route.connectionId);
        granted.set(`${route.userId}\u0000${route.connectionId}`, route);
        return true;
      });
      const list = [...granted.values()];
      if (list.length > 0) {
        await client.query({
          name: "dim_presence_claim",
          text: CLAIM_SQL,
          values: [list.map((r) => r.userId), list.map((r) => r.connectionId), list.map((r) => r.nodeId), ttlMs],
        });
      }
      await client.query("COMMIT");
      return claimed;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async release(routes: Route[]): Promise<void> {
    this.assertOpen();
    const list = routes.filter((r) => UUID_RE.test(r.userId)); // others were never stored
    if (list.length === 0) return;
    await this.pool.query({
      name: "dim_presence_release",
      text: RELEASE_SQL,
      values: [list.map((r) => r.userId), list.map((r) => r.connectionId), list.map((r) => r.nodeId)],
    });
  }

  async routesOf(userIds: string[]): Promise<Route[]> {
    this.assertOpen();
    const ids = [...new Set(userIds)].filter((id) => UUID_RE.test(id));
    if (ids.length === 0) return [];
    const res = await this.pool.query<{ user_id: string; node_id: string; connection_id: string }>({ name: "dim_presence_routes", text: ROUTES_SQL, values: [ids] });
    return res.rows.map((r) => ({ userId: r.user_id, nodeId: r.node_id, connectionId: r.connection_id }));
  }

  /** Presence.ping */
  async ping(): Promise<void> {
    this.assertOpen();
    await this.pool.query("SELECT 1");
  }

  /** Deletes expired leases; returns how many. */
  async cleanup(): Promise<number> {
    try {
      const res = await this.pool.query(CLEANUP_SQL);
      return res.rowCount ?? 0;
    } catch (err) {
      this.logger.warn({ err }, "presence cleanup failed");
      return 0;
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      if (this.ownsPool) await this.pool.end();
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new AppError(ErrorCode.Internal, "presence is closed");
  }
}

function assertRoute(route: Route): void {
  if (!UUID_RE.test(route.userId)) throw new AppError(ErrorCode.BadRequest, "route userId must be a UUID");
  if (!route.connectionId || route.connectionId.length > MAX_ID || !route.nodeId || route.nodeId.length > MAX_ID) {
    throw new AppError(ErrorCode.BadRequest, `route connectionId and nodeId must be 1..${MAX_ID} characters`);
  }
}
