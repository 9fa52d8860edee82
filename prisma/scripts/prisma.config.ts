// Prisma CLI configuration for `migrate diff` only (scripts/schema-sql.mjs): the Wasm schema
// engine ("js") over the pg adapter, so no native engine has to be downloaded. Migrations are
// applied by src/migrate.ts, not by Prisma.
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL must point at a reachable PostgreSQL");
    return new PrismaPg({ connectionString });
  },
});
