import { afterAll, describe, expect, it } from "vitest";
import pg from "pg";
import { freePort } from "@dim/shared/node";
import { openDatabase, type OpenDatabase } from "../src/open-database";
import { createTestDatabase, type TestDatabase } from "../src/testing";
import { fixtures } from "./helpers/fixtures";

const dbs: TestDatabase[] = [];
const opened: OpenDatabase[] = [];
afterAll(async () => {
  await Promise.all(opened.map((d) => d.close()));
  await Promise.all(dbs.map((d) => d.drop()));
});

async function emptyDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase({ migrate: false });
  dbs.push(db);
  return db;
}

/** Connections to `url`'s database whose application_name is `appName`, seen from another client. */
async function connectionsNamed(url: string, appName: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
      [appName],
    );
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

describe("openDatabase", () => {
  it("migrates an empty database, then gives a Prisma client, a named pool and a store that work together", async () => {
    const db = await emptyDatabase();
    const lines: string[] = [];
    const opening = await openDatabase(db.url, "dim-open-test", { log: (l) => lines.push(l), poolSize: 2 });
    opened.push(opening);
    const { prisma, pool, store } = opening;
    expect(lines.some((l) => l.startsWith("migrate: applied "))).toBe(true);

    const { user, conversation } = fixtures(() => prisma);
    const [a, b] = [await user(), await user()];
    const conv = await conversation([a, b]);
    const sent = await store.append({ senderId: a, conversationId: conv, clientMsgId: "c1", kind: "text", body: "hi" });
    expect(sent.message).toMatchObject({ seq: 1, senderId: a, body: "hi" });
    expect((await store.after(conv, 0, 10, a)).map((m) => m.body)).toEqual(["hi"]);
    // The store's statements ran on the pool, under the name it was given.
    expect(pool.totalCount).toBeGreaterThan(0);
    expect(await connectionsNamed(db.url, "dim-open-test")).toBeGreaterThan(0);
  });

  it("closes once, however often it is called: pool ended, Prisma disconnected", async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    const opening = await openDatabase(db.url, "dim-close-test");
    await opening.pool.query("SELECT 1");
    await opening.prisma.$queryRawUnsafe("SELECT 1");
    const first = opening.close();
    expect(opening.close()).toBe(first);
    await first;
    await opening.close();
    expect(opening.pool.ended).toBe(true);
    await expect(opening.pool.query("SELECT 1")).rejects.toThrow();
    expect(await connectionsNamed(db.url, "dim-close-test")).toBe(0);
  });

  it("fails clearly when PostgreSQL never answers, opening nothing", async () => {
    const port = await freePort();
    await expect(openDatabase(`postgresql://postgres:x@127.0.0.1:${port}/dim`, "dim-nobody", { waitTimeoutMs: 300 })).rejects.toThrow(
      new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${port}/dim did not answer within 300 ms`),
    );
  });
});
