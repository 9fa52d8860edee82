import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { createPgPool, createPrisma, type PrismaClient } from "../src/create-prisma";
import { isDeadlock, isUniqueViolation, sqlStateOf } from "../src/pg-errors";
import { createTestDatabase, type TestDatabase } from "../src/testing";

let db: TestDatabase;
let prisma: PrismaClient;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url, { poolSize: 2 });
  pool = createPgPool(db.url, { poolSize: 2 });
  await prisma.user.create({ data: { id: randomUUID(), username: "taken", passwordHash: "x", displayName: "T" } });
});
afterAll(async () => {
  await pool?.end();
  await prisma?.$disconnect();
  await db?.drop();
});

/** What `p` rejects with (fails the test when it resolves). */
async function errorOf(p: Promise<unknown>): Promise<unknown> {
  const outcome = await p.then(
    () => ({ resolved: true as const }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  expect(outcome.resolved).toBe(false);
  return (outcome as { error: unknown }).error;
}

const insertTaken = `INSERT INTO users (id, username, password_hash, display_name) VALUES (gen_random_uuid(), 'taken', 'x', 'T')`;
/** A real PostgreSQL error of the given SQLSTATE whose message also says "unique constraint". */
const raise = (sqlState: string) => `DO $$ BEGIN RAISE EXCEPTION 'not a unique constraint at all' USING ERRCODE = '${sqlState}'; END $$`;

describe("isUniqueViolation", () => {
  it("recognises a duplicate key however it arrives: node-postgres, Prisma's model API, raw queries, transactions", async () => {
    const errors = {
      "pg pool": await errorOf(pool.query(insertTaken)),
      "prisma create (P2002)": await errorOf(prisma.user.create({ data: { id: randomUUID(), username: "taken", passwordHash: "x", displayName: "T" } })),
      "prisma raw (P2010)": await errorOf(prisma.$executeRawUnsafe(insertTaken)),
      "interactive transaction": await errorOf(
        prisma.$transaction(async (tx) => {
          await tx.user.create({ data: { id: randomUUID(), username: "taken", passwordHash: "x", displayName: "T" } });
        }),
      ),
      "raw query in a transaction": await errorOf(prisma.$transaction(async (tx) => tx.$queryRawUnsafe(insertTaken))),
      "wrapped as a cause": new Error("append failed", { cause: await errorOf(pool.query(insertTaken)) }),
    };
    for (const [how, err] of Object.entries(errors)) {
      expect({ how, unique: isUniqueViolation(err), state: sqlStateOf(err) }).toEqual({ how, unique: true, state: "23505" });
    }
  });

  it("is false for other errors, whatever their message says", async () => {
    const others = {
      "foreign key (P2003)": await errorOf(
        prisma.contactRequest.create({ data: { id: randomUUID(), fromUserId: randomUUID(), toUserId: randomUUID() } }),
      ),
      "no unique constraint for ON CONFLICT": await errorOf(
        prisma.$executeRawUnsafe(`INSERT INTO users (id, username, password_hash, display_name) VALUES (gen_random_uuid(), 'x', 'x', 'x') ON CONFLICT (display_name) DO NOTHING`),
      ),
      "raised, message mentions a unique constraint (pool)": await errorOf(pool.query(raise("P0001"))),
      "raised, message mentions a unique constraint (prisma)": await errorOf(prisma.$executeRawUnsafe(raise("P0001"))),
      "not a database error": new Error("duplicate key value violates unique constraint \"users_username_key\" (23505)"),
      nothing: undefined,
    };
    for (const [how, err] of Object.entries(others)) expect({ how, unique: isUniqueViolation(err) }).toEqual({ how, unique: false });
    expect(sqlStateOf(others["raised, message mentions a unique constraint (prisma)"])).toBe("P0001");
  });
});

describe("isDeadlock", () => {
  it("recognises 40P01 through node-postgres and through Prisma, and nothing else", async () => {
    expect(isDeadlock(await errorOf(pool.query(raise("40P01"))))).toBe(true);
    expect(isDeadlock(await errorOf(prisma.$executeRawUnsafe(raise("40P01"))))).toBe(true);
    expect(isDeadlock(await errorOf(pool.query(insertTaken)))).toBe(false);
    expect(isDeadlock(new Error("deadlock detected"))).toBe(false);
  });
});
