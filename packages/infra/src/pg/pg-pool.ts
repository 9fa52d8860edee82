// The PostgreSQL pool the embedded bus, registry and presence share (or each opens), and a TTL helper.
import pg from "pg";
import type { Logger } from "@dim/shared/node";

export interface PgOptions {
  /** PostgreSQL URL; also used for connections a pool cannot lend (the bus's LISTEN client). */
  databaseUrl: string;
  /** A pool to share between PgBus, PgRegistry and PgPresence; not ended by their close(). */
  pool?: pg.Pool;
}

/** The pool to use, and whether the caller owns it (and must end it on close). */
export function resolvePool(opts: PgOptions, applicationName: string, logger: Logger): { pool: pg.Pool; owned: boolean } {
  if (opts.pool) return { pool: opts.pool, owned: false };
  return { pool: createPool(opts.databaseUrl, applicationName, logger, 4), owned: true };
}

export function createPool(databaseUrl: string, applicationName: string, logger: Logger, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, application_name: applicationName });
  // An idle client's error (the server restarted) is emitted on the pool: without a listener
  // it would crash the process. The pool drops that client and opens another when needed.
  pool.on("error", (err) => logger.warn({ err }, "idle PostgreSQL connection failed"));
  return pool;
}

/** Millisecond TTL as a SQL interval parameter. */
export const ttlSql = (param: string) => `(${param}::bigint * interval '1 millisecond')`;
