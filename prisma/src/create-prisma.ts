import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/client/client";

export type { PrismaClient };

export interface CreatePrismaOptions {
  /** Most pooled connections of this client (pg's default is 10). */
  poolSize?: number;
}

/** Prisma Client over node-postgres (driver adapter; no Prisma engine binary is involved). */
export function createPrisma(databaseUrl: string, opts: CreatePrismaOptions = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: opts.poolSize ?? 10 });
  return new PrismaClient({ adapter });
}

/**
 * A node-postgres pool for PrismaMessageStore's hot statements (`new PrismaMessageStore(prisma,
 * { pool })`): named prepared statements, no Prisma query layer per message. The caller ends it.
 */
export function createPgPool(databaseUrl: string, opts: CreatePrismaOptions & { applicationName?: string } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.poolSize ?? 10,
    application_name: opts.applicationName ?? "dim-store",
    // The store's batch statements take arrays: with custom plans PostgreSQL would plan them again
    // on every execution (about 1 ms of CPU each). Their SQL looks rows up one by one by key, so
    // the one generic plan per connection fits every batch size.
    options: "-c plan_cache_mode=force_generic_plan",
  });
  // An idle client's error (the server restarted) is emitted on the pool; the pool replaces it.
  pool.on("error", () => undefined);
  return pool;
}
