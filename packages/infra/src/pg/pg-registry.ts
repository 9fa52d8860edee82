// Embedded registry on PostgreSQL: the node_leases table, refreshed leases, epochs.
import type pg from "pg";
import { AppError, ErrorCode } from "@dim/shared";
import { createLogger, type Logger } from "@dim/shared/node";
import { normalRates } from "../message-rates";
import type { MessageRates, NodeInfo, Registration, Registry } from "../types";
import { resolvePool, ttlSql, type PgOptions } from "./pg-pool";

export interface PgRegistryOptions extends PgOptions {
  logger?: Logger;
  /** How long a lease lives without a refresh (default 10 s). */
  ttlMs?: number;
  /** How often the owner refreshes its lease (default ttlMs / 3). */
  refreshMs?: number;
}

/** Serialises registrations so max(epoch)+1 is unique and increasing across all nodes. */
const EPOCH_LOCK = 0x44_49_4d_01;

const REGISTER_SQL = `
  INSERT INTO node_leases (node_id, epoch, host, ws_port, http_port, ws_url, connections, started_at, expires_at)
  VALUES ($1, (SELECT COALESCE(max(epoch), 0) + 1 FROM node_leases), $2, $3, $4, $5, 0, $6, now() + ${ttlSql("$7")})
  ON CONFLICT (node_id) DO UPDATE SET
    epoch = EXCLUDED.epoch, host = EXCLUDED.host, ws_port = EXCLUDED.ws_port, http_port = EXCLUDED.http_port,
    ws_url = EXCLUDED.ws_url, connections = 0, draining = false,
    messages_in_per_sec = 0, messages_out_per_sec = 0, started_at = EXCLUDED.started_at, expires_at = EXCLUDED.expires_at
  RETURNING epoch`;

// Fenced by epoch, and only while unexpired: a lease that lapsed may already be someone else's.
// clock_timestamp(), not now(): a refresh that waited on a lock is judged when it runs.
const REFRESH_SQL = `
  UPDATE node_leases SET expires_at = clock_timestamp() + ${ttlSql("$3")}, connections = $4,
    messages_in_per_sec = $5, messages_out_per_sec = $6
  WHERE node_id = $1 AND epoch = $2 AND expires_at > clock_timestamp()`;

// Rows are expired, never deleted, so max(epoch) never goes back and a node id's next epoch is
// always higher than any it had (the table holds one row per node id ever seen: a handful).
const DEREGISTER_SQL = `UPDATE node_leases SET expires_at = now() WHERE node_id = $1 AND epoch = $2 AND expires_at > now()`;

// Fenced by epoch like a refresh: only the current registration marks itself.
const DRAINING_SQL = `UPDATE node_leases SET draining = true WHERE node_id = $1 AND epoch = $2 AND expires_at > clock_timestamp()`;

const LIVE_SQL = `
  SELECT node_id, epoch, host, ws_port, http_port, ws_url, connections, started_at, draining,
    messages_in_per_sec, messages_out_per_sec
  FROM node_leases WHERE expires_at > now() ORDER BY node_id`;

class PgRegistration implements Registration {
  private connections = 0;
  private rates: MessageRates = { inPerSec: 0, outPerSec: 0 };
  private lost = false;
  private deregistering: Promise<void> | undefined;
  private readonly listeners: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private refreshing = false;
  /** Local time the last successful renewal was sent: the lease surely lives until this + ttl. */
  private renewedAt: number;

  constructor(
    private readonly registry: PgRegistry,
    private readonly pool: pg.Pool,
    private readonly nodeId: string,
    readonly epoch: number,
    private readonly ttlMs: number,
    refreshMs: number,
    private readonly logger: Logger,
    registeredAt: number,
  ) {
    this.renewedAt = registeredAt;
    this.timer = setInterval(() => this.tick(), refreshMs);
    this.timer.unref();
  }

  setConnections(count: number): void {
    this.connections = Math.max(0, Math.floor(count));
  }

  /** Written with the next lease refresh (every refreshMs). */
  setMessageRates(rates: MessageRates): void {
    this.rates = normalRates(rates);
  }

  async setDraining(): Promise<void> {
    if (this.lost || this.deregistering) return;
    await this.pool.query(DRAINING_SQL, [this.nodeId, this.epoch]);
  }

  onLost(listener: () => void): void {
    if (this.lost) queueMicrotask(listener);
    else if (!this.deregistering) this.listeners.push(listener);
  }

  private tick(): void {
    if (this.lost || this.deregistering) return;
    // Like a ZooKeeper session: past its TTL without a renewal the lease may be gone (the gateway
    // already stopped counting it), even if a refresh is still stuck in flight.
    if (Date.now() - this.renewedAt >= this.ttlMs) return this.lose("lease not renewed within its TTL");
    if (!this.refreshing) void this.refresh();
  }

  private async refresh(): Promise<void> {
    this.refreshing = true;
    const sentAt = Date.now();
    try {
      const res = await this.pool.query(REFRESH_SQL, [this.nodeId, this.epoch, this.ttlMs, this.connections, this.rates.inPerSec, this.rates.outPerSec]);
      if (this.lost || this.deregistering) return;
      if (res.rowCount === 0) this.lose("lease gone, expired or taken by a newer epoch");
      // An UPDATE that waited on a row lock does not re-check its WHERE: it may have revived a
      // lease that had lapsed meanwhile. renewedAt + ttl is never later than the database's
      // expiry (same clock, taken before sending), so finishing after it means it may have.
      else if (Date.now() - this.renewedAt >= this.ttlMs) this.lose("lease renewed too late; it may have lapsed");
      else this.renewedAt = sentAt;
    } catch (err) {
      this.logger.warn({ err, nodeId: this.nodeId }, "registry lease refresh failed");
    } finally {
      this.refreshing = false;
    }
  }

  private lose(reason: string): void {
    if (this.lost || this.deregistering) return;
    this.lost = true;
    this.stopTimer();
    this.registry.forget(this);
    this.logger.warn({ nodeId: this.nodeId, epoch: this.epoch, reason }, "registration lost");
    // A lost registration must not look live meanwhile (a late refresh may have renewed it).
    this.pool.query(DEREGISTER_SQL, [this.nodeId, this.epoch]).catch((err: unknown) => {
      this.logger.warn({ err, nodeId: this.nodeId }, "could not expire a lost lease; it will lapse");
    });
    for (const listener of this.listeners.splice(0)) {
      try {
        listener();
      } catch (err) {
        this.logger.error({ err, nodeId: this.nodeId }, "onLost listener threw");
      }
    }
  }

  deregister(): Promise<void> {
    this.deregistering ??= (async () => {
      this.stopTimer();
      this.listeners.length = 0;
      this.registry.forget(this);
      try {
        await this.pool.query(DEREGISTER_SQL, [this.nodeId, this.epoch]);
      } catch (err) {
        // The lease then simply expires after its TTL.
        this.logger.warn({ err, nodeId: this.nodeId }, "deregister failed; lease will expire");
      }
    })();
    return this.deregistering;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/**
 * Embedded registry shared by processes through the `node_leases` table. A node's row is a lease
 * its owner refreshes every `refreshMs`; the gateway's liveNodes() returns unexpired rows. Each
 * register() takes a new epoch (max+1 under an advisory lock). A refresh that finds its row gone,
 * expired, or carrying a newer epoch fires onLost, as a ZooKeeper session expiry would.
 */
export class PgRegistry implements Registry {
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly logger: Logger;
  private readonly ttlMs: number;
  private readonly refreshMs: number;
  private readonly registrations = new Set<PgRegistration>();
  private closing: Promise<void> | undefined;

  constructor(opts: PgRegistryOptions) {
    this.logger = opts.logger ?? createLogger("infra-pg-registry");
    ({ pool: this.pool, owned: this.ownsPool } = resolvePool(opts, "dim-registry", this.logger));
    this.ttlMs = opts.ttlMs ?? 10_000;
    this.refreshMs = opts.refreshMs ?? Math.max(1, Math.floor(this.ttlMs / 3));
    if (!Number.isInteger(this.ttlMs) || this.ttlMs <= 0 || this.refreshMs >= this.ttlMs) {
      throw new AppError(ErrorCode.InvalidConfig, "registry ttlMs must be a positive integer larger than refreshMs");
    }
  }

  async register(info: Omit<NodeInfo, "epoch" | "connections">): Promise<Registration> {
    if (this.closing) throw new AppError(ErrorCode.Internal, "registry is closed");
    const client = await this.pool.connect();
    const sentAt = Date.now();
    let epoch: number;
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1)", [EPOCH_LOCK]);
      const res = await client.query<{ epoch: string }>(REGISTER_SQL, [
        info.nodeId,
        info.host,
        info.wsPort,
        info.httpPort,
        info.wsUrl,
        info.startedAt,
        this.ttlMs,
      ]);
      await client.query("COMMIT");
      epoch = Number(res.rows[0]!.epoch);
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    const logger = this.logger.child({ nodeId: info.nodeId, epoch });
    const registration = new PgRegistration(this, this.pool, info.nodeId, epoch, this.ttlMs, this.refreshMs, logger, sentAt);
    this.registrations.add(registration);
    logger.info("node registered");
    return registration;
  }

  async liveNodes(): Promise<NodeInfo[]> {
    const res = await this.pool.query<{
      node_id: string;
      epoch: string;
      host: string;
      ws_port: number;
      http_port: number;
      ws_url: string;
      connections: number;
      started_at: Date;
      draining: boolean;
      messages_in_per_sec: number;
      messages_out_per_sec: number;
    }>(LIVE_SQL);
    return res.rows.map((r) => ({
      nodeId: r.node_id,
      host: r.host,
      wsPort: r.ws_port,
      httpPort: r.http_port,
      wsUrl: r.ws_url,
      startedAt: r.started_at.toISOString(),
      epoch: Number(r.epoch),
      connections: r.connections,
      messageRates: { inPerSec: r.messages_in_per_sec, outPerSec: r.messages_out_per_sec },
      ...(r.draining ? { draining: true } : {}),
    }));
  }

  /** @internal */
  forget(registration: PgRegistration): void {
    this.registrations.delete(registration);
  }

  /** Deregisters what this handle registered (a graceful stop), then ends its own pool. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.registrations].map((r) => r.deregister()));
      if (this.ownsPool) await this.pool.end();
    })();
    return this.closing;
  }
}
