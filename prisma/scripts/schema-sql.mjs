// Prints the SQL that creates schema.prisma's database from nothing (`prisma migrate diff
// --from-empty`). Prisma's Wasm schema engine needs a reachable PostgreSQL for this (any
// database: nothing is written), given as DATABASE_URL. Used by test/schema-agrees.test.ts, and
// by people writing a migration: compare with the current migrations to see what a new one needs.
//   DATABASE_URL=postgresql://postgres:dim@127.0.0.1:54320/dim npm run schema:sql -w @dim/db
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const cli = require.resolve("prisma/build/index.js");
const root = fileURLToPath(new URL("..", import.meta.url));
if (!process.env.DATABASE_URL) {
  console.error("schema-sql: set DATABASE_URL to any reachable PostgreSQL (for example the dev database)");
  process.exit(2);
}
const result = spawnSync(
  process.execPath,
  [cli, "migrate", "diff", "--config", "scripts/prisma.config.ts", "--from-empty", "--to-schema-datamodel", "schema.prisma", "--script"],
  {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      // Never executed (engine "js"), only checked to exist: avoids the unreachable download.
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
      PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      CHECKPOINT_DISABLE: "1",
    },
  },
);
if (result.status !== 0) {
  process.stderr.write(result.stderr ?? "");
  process.stderr.write(result.stdout ?? "");
  process.exit(result.status ?? 1);
}
process.stdout.write(result.stdout);
