// The embedded RateStore: token buckets in the rate_buckets table, in the database's clock.
import type pg from "pg";
import { AppError, ErrorCode } from "@dim/shared";
import { createLogger, type Logger } from "@dim/shared/node";
import { assertRateName, rateArgs, storedRateKey } from "../rates/rate-args";
import type { RateLimit, RateStore, RateTake } from "../types";
import { resolvePool, type PgOptions } from "./pg-pool";

export interface PgRateStoreOptions extends PgOptions {
  logger?: Logger;
  /** How often buckets that are full again are deleted (default 60 s; 0 disables). */
  pruneMs?: number;
}

// $1 name, $2 key, $3 capacity, $4 tokens per ms. `b` is the stored row.
const REFILLED = `LEAST($3::float8, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM (now() - b.updated_at)) * 1000) * $4::float8)`;
/** When a bucket left with `tokens` is full again. */
const fullAt = (tokens: string) => `now() + (($3::float8 - (${tokens})) / $4::float8) * interval '1 millisecond'`;

/**
 * One statement, atomic under the row lock: a new bucket starts at capacity − 1; a stored one is
 * refilled for the time since its update and loses a token only if it has one (the WHERE: a
 * refused take writes nothing). The outer SELECT reads the bucket as it was when refused, for
 * retryAfterMs. updated_at never moves back (a statement that waited for the lock started earlier).
 */
const TAKE_SQL = `
  WITH taken AS (
    INSERT INTO rate_buckets AS b (name, key, tokens, updated_at, full_at)
    VALUES ($1, $2, $3::float8 - 1, now(), ${fullAt("$3::float8 - 1")})
    ON CONFLICT (name, key) DO UPDATE SET
      tokens = ${REFILLED} - 1,
      updated_at = GREATEST(b.updated_at, now()),
      full_at = ${fullAt(`${REFILLED} - 1`)}
    WHERE ${REFILLED} >= 1
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM taken)::int AS taken,
         (SELECT ${REFILLED} FROM rate_buckets b WHERE b.name = $1 AND b.key = $2) AS tokens`;

const CHECK_SQL = `SELECT ${REFILLED} AS tokens FROM rate_buckets b WHERE b.name = $1 AND b.key = $2`;
const RESET_SQL = `DELETE FROM rate_buckets WHERE name = $1 AND key = $2`;
// Re-checked under the row lock, so a bucket taken from meanwhile survives.
const PRUNE_SQL = `DELETE FROM rate_buckets WHERE full_at <= now()`;

/** Milliseconds until a bucket holding `tokens` has one (at least 1 when refused). */
function waitFor(tokens: number | null, perMs: number): number {
  if (tokens === null || tokens >= 1) return 0;
  return Math.max(1, Math.ceil((1 - tokens) / perMs));
}

/**
 * Token buckets every process on the database shares: one row per (name, key) while the bucket
 * is not full. Time is PostgreSQL's now(), so processes with skewed clocks agree.
 */
export class PgRateStore implements RateStore {
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly logger: Logger;
  private readonly timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(opts: PgRateStoreOptions) {
    this.logger = opts.logger ?? createLogger("infra-pg-rates");
    ({ pool: this.pool, owned: this.ownsPool } = resolvePool(opts, "dim-rates", this.logger));
    const pruneMs = opts.pruneMs ?? 60_000;
    if (pruneMs > 0) {
      this.timer = setInterval(() => {
        this.prune().catch((err: unknown) => this.logger.warn({ err }, "pruning rate buckets failed"));
      }, pruneMs);
      this.timer.unref();
    }
  }

  async take(name: string, key: string, limit: RateLimit): Promise<RateTake> {
    this.assertOpen();
    const stored = rateArgs(name, key, limit);
    const perMs = limit.capacity / limit.windowMs;
    const res = await this.pool.query<{ taken: number; tokens: number | null }>({
      name: "dim_rates_take",
      text: TAKE_SQL,
      values: [name, stored, limit.capacity, perMs],
    });
    const row = res.rows[0]!;
    if (row.taken === 1) return { ok: true };
    return { ok: false, retryAfterMs: Math.max(1, waitFor(row.tokens, perMs)) };
  }

  async check(name: string, key: string, limit: RateLimit): Promise<number> {
    this.assertOpen();
    const stored = rateArgs(name, key, limit);
    const perMs = limit.capacity / limit.windowMs;
    const res = await this.pool.query<{ tokens: number }>({ name: "dim_rates_check", text: CHECK_SQL, values: [name, stored, limit.capacity, perMs] });
    return waitFor(res.rows[0]?.tokens ?? null, perMs);
  }

  async reset(name: string, key: string): Promise<void> {
    this.assertOpen();
    assertRateName(name);
    await this.pool.query({ name: "dim_rates_reset", text: RESET_SQL, values: [name, storedRateKey(key)] });
  }

  async prune(): Promise<number> {
    this.assertOpen();
    const res = await this.pool.query(PRUNE_SQL);
    return res.rowCount ?? 0;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      if (this.ownsPool) await this.pool.end();
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new AppError(ErrorCode.Internal, "rate store is closed");
  }
}
