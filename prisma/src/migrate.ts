/**
 * Our own migration runner (Prisma's `migrate deploy` cannot run here, see
 * ../shared/environment.md). It applies prisma/migrations/<timestamp>_<name>/migration.sql in
 * name order, each in its own transaction, under a PostgreSQL advisory lock so that several
 * processes booting at once apply each migration exactly once. What it applied is recorded in
 * `_dim_migrations` with the file's SHA-256; an applied file that changed is refused.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { AppError, ErrorCode } from "@dim/shared";
import { describeUrl, toLogFn, type DbLog } from "./db-log";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations", import.meta.url));

/** Any constant shared by every DIM process: pg_advisory_lock takes one bigint key. */
const LOCK_KEY = "4471100990133709"; // "DIM" migrations

/** Kept identical to the SchemaMigration model (test/schema-agrees.test.ts checks it). */
const BOOTSTRAP_SQL = `CREATE TABLE IF NOT EXISTS "_dim_migrations" (
    "name" VARCHAR(255) NOT NULL,
    "checksum" CHAR(64) NOT NULL,
    "applied_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "_dim_migrations_pkey" PRIMARY KEY ("name")
)`;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateOptions {
  log?: DbLog;
  /** Defaults to prisma/migrations. */
  migrationsDir?: string;
}

/** sha256 of the file with line endings normalised, so a CRLF checkout is not "tampering". */
export function migrationChecksum(sql: string): string {
  return createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");
}

export function readMigrations(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  if (!existsSync(dir)) throw new AppError(ErrorCode.InvalidConfig, `migrations directory not found: ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, "migration.sql")))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: migrationChecksum(sql) };
    });
}

export async function migrate(databaseUrl: string, opts: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const log = toLogFn(opts.log);
  const migrations = readMigrations(opts.migrationsDir);
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`migrate: cannot connect to PostgreSQL at ${describeUrl(databaseUrl)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  // A dead connection must not crash the process through an unhandled 'error' event.
  client.on("error", () => {});
  const applied: string[] = [];
  try {
    const got = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS ok", [LOCK_KEY]);
    if (!got.rows[0]?.ok) {
      log("migrate: another process is migrating this database; waiting for it");
      await client.query("SELECT pg_advisory_lock($1::bigint)", [LOCK_KEY]);
    }
    try {
      await client.query(BOOTSTRAP_SQL);
      const done = new Map(
        (await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "_dim_migrations"`)).rows.map(
          (r) => [r.name, r.checksum],
        ),
      );
      for (const m of migrations) {
        const recorded = done.get(m.name);
        if (recorded !== undefined && recorded !== m.checksum) {
          throw new AppError(
            ErrorCode.InvalidConfig,
            `migration ${m.name} was changed after it was applied (checksum ${recorded.slice(0, 12)}… in the database, ` +
              `${m.checksum.slice(0, 12)}… on disk). Applied migrations are immutable: restore the file and add a new migration.`,
            { migration: m.name, recorded, onDisk: m.checksum },
          );
        }
      }
      const onDisk = new Set(migrations.map((m) => m.name));
      const unknown = [...done.keys()].filter((n) => !onDisk.has(n));
      if (unknown.length > 0) {
        log(`migrate: the database has migrations this code does not know (newer code ran here?): ${unknown.join(", ")}`);
      }
      for (const m of migrations) {
        if (done.has(m.name)) continue;
        await client.query("BEGIN");
        try {
          await client.query(m.sql);
          await client.query(`INSERT INTO "_dim_migrations" (name, checksum) VALUES ($1, $2)`, [m.name, m.checksum]);
          await client.query("COMMIT");
        } catch (err) {
          await client.query("ROLLBACK").catch(() => {});
          throw new Error(`migrate: migration ${m.name} failed and was rolled back: ${(err as Error).message}`, { cause: err });
        }
        applied.push(m.name);
        log(`migrate: applied ${m.name}`);
      }
      if (applied.length === 0) log(`migrate: ${describeUrl(databaseUrl)} is up to date (${migrations.length} migrations)`);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1::bigint)", [LOCK_KEY]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
  return { applied };
}
