import { PrismaPg } from "@prisma/adapter-pg";
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
