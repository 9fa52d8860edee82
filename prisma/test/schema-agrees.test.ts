/**
 * schema.prisma and prisma/migrations must describe the same database. Prisma's own check
 * (`migrate diff --from-migrations`) cannot run here (its Wasm engine fails to introspect,
 * ../shared/environment.md), so we build two databases — one by our runner from the
 * migrations, one from the SQL Prisma generates for schema.prisma — and compare their catalogs.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "../src/migrate";
import { createTestDatabase, type TestDatabase } from "../src/testing";
import { dumpCatalog, execSql, type Catalog } from "./helpers/catalog";

const run = promisify(execFile);
const SCHEMA_SQL_SCRIPT = fileURLToPath(new URL("../scripts/schema-sql.mjs", import.meta.url));

const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});
async function database(opts: { migrate: boolean }): Promise<TestDatabase> {
  const db = await createTestDatabase(opts);
  databases.push(db);
  return db;
}

function difference(fromMigrations: Catalog, fromSchema: Catalog) {
  const keys = [...new Set([...Object.keys(fromMigrations), ...Object.keys(fromSchema)])].sort();
  const onlyInMigrations: string[] = [];
  const onlyInSchema: string[] = [];
  for (const k of keys) {
    const a = new Set(fromMigrations[k] ?? []);
    const b = new Set(fromSchema[k] ?? []);
    for (const line of a) if (!b.has(line)) onlyInMigrations.push(`${k}: ${line}`);
    for (const line of b) if (!a.has(line)) onlyInSchema.push(`${k}: ${line}`);
  }
  return { onlyInMigrations, onlyInSchema };
}

async function catalogOfSchemaPrisma(): Promise<Catalog> {
  const db = await database({ migrate: false });
  const { stdout } = await run(process.execPath, [SCHEMA_SQL_SCRIPT], {
    env: { ...process.env, DATABASE_URL: db.url },
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(stdout).toContain("CREATE TABLE");
  await execSql(db.url, stdout);
  return dumpCatalog(db.url);
}

describe("schema.prisma and prisma/migrations", () => {
  it("follow Prisma's migrations layout", () => {
    const dirs = readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(dirs.length).toBeGreaterThan(0);
    for (const d of dirs) {
      expect(d.name).toMatch(/^\d{14}_[a-z0-9_]+$/);
      expect(existsSync(join(MIGRATIONS_DIR, d.name, "migration.sql"))).toBe(true);
    }
    expect(readFileSync(join(MIGRATIONS_DIR, "migration_lock.toml"), "utf8")).toMatch(/provider = "postgresql"/);
  });

  it("describe the same database", { timeout: 120_000 }, async () => {
    const migrated = await database({ migrate: true });
    const [fromMigrations, fromSchema] = await Promise.all([dumpCatalog(migrated.url), catalogOfSchemaPrisma()]);
    expect(fromMigrations.tables?.length).toBeGreaterThan(5);
    // On failure: edit schema.prisma and add a migration (never edit an applied one) until both
    // lists are empty. `npm run schema:sql -w @dim/db` prints the SQL of the whole schema.
    expect(difference(fromMigrations, fromSchema)).toEqual({ onlyInMigrations: [], onlyInSchema: [] });
  });

  it("the comparison notices a changed column type, a dropped index and a new enum value", async () => {
    const db = await database({ migrate: true });
    const before = await dumpCatalog(db.url);
    await execSql(
      db.url,
      `ALTER TABLE messages ALTER COLUMN body TYPE varchar(4000);
       DROP INDEX sessions_user_id_idx;
       ALTER TYPE message_kind ADD VALUE 'audio';`,
    );
    const { onlyInMigrations, onlyInSchema } = difference(await dumpCatalog(db.url), before);
    expect(onlyInMigrations.join("\n")).toMatch(/messages\.body character varying\(4000\)/);
    expect(onlyInMigrations.join("\n")).toMatch(/message_kind \(text, image, file, system, edit, delete, reaction, audio\)/);
    expect(onlyInSchema.join("\n")).toMatch(/sessions_user_id_idx/);
  });
});
