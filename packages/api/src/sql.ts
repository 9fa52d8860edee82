/**
 * The gateway's hot statements (the session and membership lookups every request makes). With a
 * node-postgres pool they run as named prepared statements (parsed and planned once per
 * connection, no Prisma query layer); without one, through Prisma as raw SQL of the same text.
 * Int8 columns arrive as bigint through Prisma and as decimal strings through the pool: read them
 * with Number().
 */
import type { createPgPool } from "@dim/db";
import type { Db } from "./db";

export type PgPool = ReturnType<typeof createPgPool>;

export interface Statement {
  /** Unique among the gateway's statements (the prepared statement's name). */
  name: string;
  text: string;
}

export type SqlRows = <T>(statement: Statement, values: unknown[]) => Promise<T[]>;

export function createSqlRows(prisma: Db, pool?: PgPool): SqlRows {
  if (pool) {
    return async <T>(s: Statement, values: unknown[]) =>
      (await pool.query({ name: `dim_api_${s.name}`, text: s.text, values })).rows as T[];
  }
  return <T>(s: Statement, values: unknown[]) => prisma.$queryRawUnsafe<T[]>(s.text, ...values);
}
