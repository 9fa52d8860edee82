/**
 * For readiness probes: the migrations on disk that this database has not applied. Every process
 * migrates at boot (openDatabase), so a non-empty answer means another process is migrating
 * right now, or the schema was rolled back underneath us.
 */
import type pg from "pg";
import { readMigrations } from "./migrate";

export async function pendingMigrations(pool: pg.Pool, migrationsDir?: string): Promise<string[]> {
  const onDisk = readMigrations(migrationsDir).map((m) => m.name);
  const { rows } = await pool.query<{ name: string }>(`SELECT name FROM "_dim_migrations"`);
  const applied = new Set(rows.map((r) => r.name));
  return onDisk.filter((name) => !applied.has(name));
}

/** A readiness check: throws naming what is missing. */
export async function assertMigrated(pool: pg.Pool): Promise<void> {
  const pending = await pendingMigrations(pool);
  if (pending.length > 0) throw new Error(`${pending.length} migration(s) not applied: ${pending.join(", ")}`);
}
