/** PgBus group commit: a burst of publishes becomes a few NOTIFY transactions, in publish order. */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createTestDatabase, type TestDatabase } from "@dim/db/testing";
import { PgBus } from "../src/pg/pg-bus";
import { deliver, eventually, receipt, seqOf, withEnvelopes, type BusEnvelope } from "./helpers";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** Counts the statements a pool runs (the bus publishes only through its pool). */
function countingPool(url: string): { pool: pg.Pool; statements: string[] } {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const statements: string[] = [];
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) => {
    const first = args[0] as string | { text: string };
    statements.push(typeof first === "string" ? first : first.text);
    return query(...args);
  };
  return { pool, statements };
}

describe("PgBus group commit", () => {
  it("a burst of 300 publishes to two nodes: every envelope arrives once, in publish order, in far fewer transactions", async () => {
    const { pool, statements } = countingPool(db.url);
    const sender = withEnvelopes(new PgBus({ databaseUrl: db.url, pool }));
    const a = withEnvelopes(new PgBus({ databaseUrl: db.url }));
    const b = withEnvelopes(new PgBus({ databaseUrl: db.url }));
    onTestFinished(async () => {
      await Promise.all([sender.close(), a.close(), b.close()]);
      await pool.end();
    });
    const got = { a: [] as BusEnvelope[], b: [] as BusEnvelope[] };
    await a.subscribe("node-a", async (e) => void got.a.push(e));
    await b.subscribe("node-b", async (e) => void got.b.push(e));

    const c1 = randomUUID();
    const c2 = randomUUID();
    const published: Promise<void>[] = [];
    for (let seq = 1; seq <= 150; seq++) {
      // The first publish's batch is in flight before the others are made (publishes of one
      // synchronous run would share a batch).
      if (seq === 2) await Promise.resolve();
      published.push(sender.publish("node-a", deliver(c1, seq)));
      // A large envelope (fragmented) among small ones keeps its place too.
      published.push(sender.publish("node-b", seq % 50 === 0 ? deliver(c2, seq, "x".repeat(20_000)) : receipt(c2, seq)));
    }
    await Promise.all(published);
    await eventually(() => {
      expect(got.a).toHaveLength(150);
      expect(got.b).toHaveLength(150);
    });
    expect(got.a.map(seqOf)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(got.b.map(seqOf)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(got.b.find((e) => seqOf(e) === 50)).toMatchObject({ type: "deliver", message: { body: "x".repeat(20_000) } });
    // The first publish goes alone; the rest waited for it and went together.
    expect(statements.length).toBeGreaterThanOrEqual(2);
    expect(statements.length).toBeLessThan(10);
  });

  it("synchronous_commit off applies to the NOTIFY transaction only, not to the pool's connection", async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const bus = withEnvelopes(new PgBus({ databaseUrl: db.url, pool }));
    onTestFinished(async () => {
      await bus.close();
      await pool.end();
    });
    await bus.publish("node-nobody", receipt(randomUUID(), 1));
    const { rows } = await pool.query<{ synchronous_commit: string }>("SHOW synchronous_commit");
    expect(rows[0]!.synchronous_commit).toBe("on");
  });

  it("a failed NOTIFY rejects the publishes of its batch; the next batch goes through", async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const bus = withEnvelopes(new PgBus({ databaseUrl: db.url, pool }));
    const target = withEnvelopes(new PgBus({ databaseUrl: db.url }));
    onTestFinished(async () => {
      await Promise.all([bus.close(), target.close()]);
      await pool.end();
    });
    const got: BusEnvelope[] = [];
    await target.subscribe("node-t", async (e) => void got.push(e));
    const c = randomUUID();
    // The pool fails its next statement (as when PostgreSQL is restarting).
    const realQuery = pool.query.bind(pool);
    (pool as unknown as { query: () => Promise<never> }).query = () => Promise.reject(new Error("connection lost"));
    await expect(bus.publish("node-t", receipt(c, 1))).rejects.toThrow("connection lost");
    (pool as unknown as { query: typeof realQuery }).query = realQuery;
    await bus.publish("node-t", receipt(c, 2));
    await eventually(() => expect(got.map(seqOf)).toEqual([2]));
  });
});
