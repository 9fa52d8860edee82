/**
 * What a PostgreSQL error was, by its SQLSTATE, however it reached us: node-postgres's
 * DatabaseError carries it as `code`; a Prisma error over @prisma/adapter-pg carries the driver's
 * error under `meta.driverAdapterError`, whose cause holds it as `originalCode`. Messages are
 * never matched: any text may mention "unique constraint".
 */

/** Prisma's own error codes (P1000…P6999); PL/pgSQL's SQLSTATEs (P0000…P0004) are not among them. */
const PRISMA_CODE_RE = /^P[1-9]\d{3}$/;
const SQLSTATE_RE = /^[0-9A-Z]{5}$/;

export const SqlState = {
  UniqueViolation: "23505",
  DeadlockDetected: "40P01",
} as const;

/** The SQLSTATE of a PostgreSQL error (or of the error it caused), or undefined for anything else. */
export function sqlStateOf(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e !== null && typeof e === "object"; depth++) {
    const o = e as { code?: unknown; originalCode?: unknown; meta?: { driverAdapterError?: unknown }; cause?: unknown };
    // The driver adapter's description of the PostgreSQL error (Prisma error → adapter error → this).
    if (typeof o.originalCode === "string") return o.originalCode;
    if (o.meta?.driverAdapterError !== undefined) {
      e = o.meta.driverAdapterError;
      continue;
    }
    if (typeof o.code === "string") {
      // Prisma's unique-constraint error without the adapter's details (the engine reports only that).
      if (o.code === "P2002") return SqlState.UniqueViolation;
      if (SQLSTATE_RE.test(o.code) && !PRISMA_CODE_RE.test(o.code)) return o.code;
    }
    e = o.cause;
  }
  return undefined;
}

/** unique_violation (23505): the row exists already (a taken username, a racing insert). */
export const isUniqueViolation = (err: unknown): boolean => sqlStateOf(err) === SqlState.UniqueViolation;

/** deadlock_detected (40P01): the statement was chosen as the victim and rolled back as a whole. */
export const isDeadlock = (err: unknown): boolean => sqlStateOf(err) === SqlState.DeadlockDetected;
