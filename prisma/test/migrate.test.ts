import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { AppError, ErrorCode } from "@dim/shared";
import { MIGRATIONS_DIR, migrate, migrationChecksum, readMigrations } from "../src/migrate";
import { createTestDatabase, type TestDatabase } from "../src/testing";

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function emptyDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase({ migrate: false });
  cleanups.push(() => db.drop());
  return db;
}

/** A private copy of prisma/migrations that a test may change. */
function migrationsCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "dim-migrations-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const recorded = (url: string) =>
  query<{ name: string; checksum: string }>(url, `SELECT name, checksum FROM "_dim_migrations" ORDER BY name`);

describe("migrate", () => {
  it("applies every migration once and is idempotent", async () => {
    const db = await emptyDatabase();
    const all = readMigrations().map((m) => m.name);
    expect(await migrate(db.url)).toEqual({ applied: all });
    expect(await migrate(db.url)).toEqual({ applied: [] });
    expect(await recorded(db.url)).toEqual(readMigrations().map((m) => ({ name: m.name, checksum: m.checksum })));
  });

  it("applies each migration exactly once when several processes start together", async () => {
    const db = await emptyDatabase();
    const results = await Promise.all(Array.from({ length: 5 }, () => migrate(db.url)));
    expect(results.flatMap((r) => r.applied).sort()).toEqual(readMigrations().map((m) => m.name));
    expect(await recorded(db.url)).toHaveLength(readMigrations().length);
  });

  it("applies a new migration later, in name order", async () => {
    const db = await emptyDatabase();
    const dir = migrationsCopy();
    await migrate(db.url, { migrationsDir: dir });
    mkdirSync(join(dir, "29990101000001_second"));
    writeFileSync(join(dir, "29990101000001_second", "migration.sql"), `ALTER TABLE users ADD COLUMN "bio" TEXT;`);
    mkdirSync(join(dir, "29990101000000_first"));
    writeFileSync(join(dir, "29990101000000_first", "migration.sql"), `CREATE TABLE "extra" ("id" INT PRIMARY KEY);`);
    const lines: string[] = [];
    expect(await migrate(db.url, { migrationsDir: dir, log: (l) => lines.push(l) })).toEqual({
      applied: ["29990101000000_first", "29990101000001_second"],
    });
    expect(lines.join("\n")).toMatch(/applied 29990101000000_first/);
    expect(await query(db.url, `SELECT bio FROM users`)).toEqual([]);
  });

  it("refuses, with INVALID_CONFIG and changing nothing, when an applied migration was edited", async () => {
    const db = await emptyDatabase();
    const dir = migrationsCopy();
    await migrate(db.url, { migrationsDir: dir });
    const before = await recorded(db.url);
    const first = readMigrations(dir)[0]!;
    writeFileSync(join(dir, first.name, "migration.sql"), first.sql + "\nCREATE TABLE sneaky (id INT);\n");
    // A pending migration after it must not be applied either.
    mkdirSync(join(dir, "29990101000000_later"));
    writeFileSync(join(dir, "29990101000000_later", "migration.sql"), `CREATE TABLE later (id INT);`);

    const err = await migrate(db.url, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(ErrorCode.InvalidConfig);
    expect((err as AppError).message).toMatch(new RegExp(`migration ${first.name} was changed after it was applied`));
    expect(await recorded(db.url)).toEqual(before);
    expect(await query(db.url, `SELECT to_regclass('later') AS t, to_regclass('sneaky') AS s`)).toEqual([{ t: null, s: null }]);
  });

  it("rolls a failing migration back entirely and records nothing", async () => {
    const db = await emptyDatabase();
    const dir = migrationsCopy();
    await migrate(db.url, { migrationsDir: dir });
    mkdirSync(join(dir, "29990101000000_broken"));
    writeFileSync(join(dir, "29990101000000_broken", "migration.sql"), `CREATE TABLE half (id INT);\nSELECT no_such_function();`);
    await expect(migrate(db.url, { migrationsDir: dir })).rejects.toThrow(/29990101000000_broken failed and was rolled back/);
    expect(await query(db.url, `SELECT to_regclass('half') AS t`)).toEqual([{ t: null }]);
    expect((await recorded(db.url)).map((r) => r.name)).not.toContain("29990101000000_broken");
  });

  it("treats CRLF and LF checkouts of a migration as the same file", () => {
    expect(migrationChecksum("CREATE TABLE a (id INT);\r\nCREATE TABLE b (id INT);\r\n")).toBe(
      migrationChecksum("CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);\n"),
    );
    expect(migrationChecksum("SELECT 1;")).not.toBe(migrationChecksum("SELECT 2;"));
  });

  it("says clearly when it cannot connect", async () => {
    const db = await emptyDatabase();
    const unreachable = db.url.replace(/\/[^/]+$/, "/dim_no_such_database");
    await expect(migrate(unreachable)).rejects.toThrow(/cannot connect to PostgreSQL at 127\.0\.0\.1:\d+\/dim_no_such_database/);
  });
});
