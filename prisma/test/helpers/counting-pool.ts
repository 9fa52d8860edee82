/**
 * The store's real pg pool (createPgPool) counting the named statements run through it, to see
 * how many statements (so transactions and commits) a number of store calls became.
 */
import type pg from "pg";
import { createPgPool } from "../../src/create-prisma";

export interface CountingPool {
  pool: pg.Pool;
  /** Statements run so far whose name starts with `dim_store_<name>`. */
  count(name: string): number;
}

export function countingPool(url: string, max = 10): CountingPool {
  const pool = createPgPool(url, { poolSize: max });
  const counts = new Map<string, number>();
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const first = args[0] as { name?: unknown } | string;
    const name = typeof first === "object" && typeof first.name === "string" ? first.name : "";
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return query(...args);
  };
  return {
    pool,
    count: (name) => [...counts].reduce((n, [k, v]) => (k.startsWith(`dim_store_${name}`) ? n + v : n), 0),
  };
}
