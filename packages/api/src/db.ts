import type { Prisma, PrismaClient } from "@dim/db";

/** The Prisma client @dim/db builds (over @prisma/adapter-pg). */
export type Db = PrismaClient;

/** The client handed to interactive transactions. */
export type Tx = Prisma.TransactionClient;

/**
 * Serialises work on one key until the transaction ends (pg_advisory_xact_lock). Used so two
 * people adding each other at the same moment cannot create two requests or two conversations.
 */
export async function lockKey(tx: Tx, key: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}
