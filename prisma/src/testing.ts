/**
 * Test helper: a fresh, migrated database on the suite's embedded PostgreSQL (started once by
 * scripts/vitest-global-setup.ts). Each test file gets its own, so files never see each other.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { migrate } from "./migrate";

declare module "vitest" {
  // Provided by scripts/vitest-global-setup.ts (declared there too, for the root config).
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Apply prisma/migrations (default true); false gives an empty database. */
  migrate?: boolean;
}

export async function createTestDatabase(opts: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const adminUrl = inject("pgAdminUrl");
  const name = `dim_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  if (opts.migrate !== false) await migrate(url);
  return {
    url,
    async drop() {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
