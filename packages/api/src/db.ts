import type { Prisma, PrismaClient } from "@dim/db";

/** The Prisma client @dim/db builds (over @prisma/adapter-pg). */
export type Db = PrismaClient;

/** The client handed to interactive transactions. */
export type Tx = Prisma.TransactionClient;

/** A unique constraint was violated (Prisma P2002, or PostgreSQL 23505 through the adapter). */
export function isUniqueViolation(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const e = err as { code?: unknown; cause?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
  if (e.code === "P2002" || e.code === "23505") return true;
  if (e.meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation") return true;
  return e.cause !== undefined && e.cause !== err && isUniqueViolation(e.cause);
}

/**
 * Serialises work on one key until the transaction ends (pg_advisory_xact_lock). Used so two
 * people adding each other at the same moment cannot create two requests or two conversations.
 */
export async function lockKey(tx: Tx, key: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}
