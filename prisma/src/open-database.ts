/**
 * The database half of every process's boot: wait for PostgreSQL, apply the migrations, then
 * open Prisma, the pg pool of the hot statements and the message store over both. The gateway,
 * core nodes, the benchmark's servers and the scripts all boot through this one function; the
 * caller closes what it returns (after whatever it built on top).
 */
import type pg from "pg";
import { createPgPool, createPrisma, type PrismaClient } from "./create-prisma";
import type { DbLog } from "./db-log";
import { migrate } from "./migrate";
import { PrismaMessageStore, type MessageStoreOptions } from "./prisma-message-store";
import { waitForDatabase } from "./wait-for-database";

export interface OpenDatabaseOptions {
  /** Progress lines (waiting, migrations applied). */
  log?: DbLog;
  /** How long to wait for PostgreSQL to answer at all (waitForDatabase's default: 60 s). */
  waitTimeoutMs?: number;
  /** Most connections of Prisma's pool and of the statement pool, each (default 10). */
  poolSize?: number;
  /** The store's cursor collection window (MessageStoreOptions.cursorCollectMs; core nodes). */
  cursorCollectMs?: number;
  /** MessageStoreOptions.onAppendBatch (core nodes' metrics). */
  onAppendBatch?: MessageStoreOptions["onAppendBatch"];
  /** The store's edit / delete windows (MessageStoreOptions.eventWindows; core nodes). */
  eventWindows?: MessageStoreOptions["eventWindows"];
}

export interface OpenDatabase {
  prisma: PrismaClient;
  /** Named prepared statements of the store and the gateway's per-request statements. */
  pool: pg.Pool;
  store: PrismaMessageStore;
  /** Ends the pool, then disconnects Prisma. Idempotent: every call returns the same promise. */
  close(): Promise<void>;
}

/**
 * @param appName the pool's `application_name` (what `pg_stat_activity` shows), e.g. "dim-gateway".
 */
export async function openDatabase(databaseUrl: string, appName: string, opts: OpenDatabaseOptions = {}): Promise<OpenDatabase> {
  await waitForDatabase(databaseUrl, { log: opts.log, timeoutMs: opts.waitTimeoutMs });
  await migrate(databaseUrl, { log: opts.log });
  const prisma = createPrisma(databaseUrl, { poolSize: opts.poolSize });
  const pool = createPgPool(databaseUrl, { poolSize: opts.poolSize, applicationName: appName });
  const store = new PrismaMessageStore(prisma, { pool, cursorCollectMs: opts.cursorCollectMs, onAppendBatch: opts.onAppendBatch, eventWindows: opts.eventWindows });
  let closing: Promise<void> | undefined;
  return {
    prisma,
    pool,
    store,
    close() {
      closing ??= (async () => {
        try {
          await pool.end();
        } finally {
          await prisma.$disconnect();
        }
      })();
      return closing;
    },
  };
}
