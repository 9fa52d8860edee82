/** What only the PostgreSQL-backed implementations can show: connection loss, real expiry by TTL. */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createTestDatabase, type TestDatabase } from "@dim/db/testing";
import { PgBus } from "../src/pg/pg-bus";
import { PgPresence } from "../src/pg/pg-presence";
import { PgRegistry } from "../src/pg/pg-registry";
import { eventually, receipt, withEnvelopes, type BusEnvelope } from "./helpers";

let db: TestDatabase;
let admin: pg.Client;
beforeAll(async () => {
  db = await createTestDatabase();
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await db?.drop();
});

describe("PgBus", () => {
  it("re-opens a dropped LISTEN connection and delivers again", async () => {
    const sender = withEnvelopes(new PgBus({ databaseUrl: db.url }));
    const target = withEnvelopes(new PgBus({ databaseUrl: db.url, reconnectMinMs: 20, reconnectMaxMs: 200 }));
    onTestFinished(() => Promise.all([sender.close(), target.close()]).then(() => undefined));
    const got: BusEnvelope[] = [];
    await target.subscribe("node-t", async (e) => {
      got.push(e);
    });
    const c = randomUUID();
    await sender.publish("node-t", receipt(c, 1));
    await eventually(() => expect(got).toHaveLength(1));

    const killed = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'dim-bus-listen'",
    );
    expect(killed.rowCount).toBe(1);

    // Envelopes sent while it reconnects are lost (clients sync); keep ringing until one arrives.
    let seq = 1;
    await eventually(async () => {
      await sender.publish("node-t", receipt(c, ++seq));
      expect(got.length).toBeGreaterThan(1);
    });
  });
});

describe("PgRegistry", () => {
  it("a node whose owner stops refreshing drops out after its TTL, and learns it was lost", async () => {
    const owner = new PgRegistry({ databaseUrl: db.url, ttlMs: 1_000, refreshMs: 100 });
    const gateway = new PgRegistry({ databaseUrl: db.url });
    onTestFinished(() => Promise.all([owner.close(), gateway.close()]).then(() => undefined));
    const reg = await owner.register({
      nodeId: "node-stall",
      host: "127.0.0.1",
      wsPort: 1,
      httpPort: 1,
      wsUrl: "ws://127.0.0.1:1/ws",
      startedAt: new Date().toISOString(),
    });
    let lost = false;
    reg.onLost(() => (lost = true));
    expect((await gateway.liveNodes()).map((n) => n.nodeId)).toContain("node-stall");

    // Stall the owner: hold a lock on its row so refreshes block past the TTL.
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    onTestFinished(() => blocker.end());
    await blocker.query("BEGIN");
    await blocker.query("SELECT 1 FROM node_leases WHERE node_id = 'node-stall' FOR UPDATE");
    await eventually(async () => expect((await gateway.liveNodes()).map((n) => n.nodeId)).not.toContain("node-stall"));
    await blocker.query("ROLLBACK");
    await eventually(() => expect(lost).toBe(true));
  });
});

describe("PgPresence", () => {
  it("cleanup deletes expired rows only", async () => {
    const presence = new PgPresence({ databaseUrl: db.url, cleanupMs: 0 });
    onTestFinished(() => presence.close());
    const [gone, kept] = [randomUUID(), randomUUID()];
    await presence.claim([{ userId: gone, nodeId: "n1", connectionId: "c1" }], 50);
    await presence.claim([{ userId: kept, nodeId: "n1", connectionId: "c2" }], 60_000);
    await eventually(async () => expect(await presence.routesOf([gone])).toEqual([]));
    expect(await presence.cleanup()).toBeGreaterThanOrEqual(1);
    const rows = await admin.query("SELECT user_id FROM presence_leases WHERE user_id = ANY($1::uuid[])", [[gone, kept]]);
    expect(rows.rows.map((r: { user_id: string }) => r.user_id)).toEqual([kept]);
  });

  it("rejects routes the table cannot hold with a typed error", async () => {
    const presence = new PgPresence({ databaseUrl: db.url, cleanupMs: 0 });
    onTestFinished(() => presence.close());
    await expect(presence.claim([{ userId: "not-a-uuid", nodeId: "n1", connectionId: "c1" }], 1000)).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      presence.claim([{ userId: randomUUID(), nodeId: "n".repeat(65), connectionId: "c1" }], 1000),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await presence.routesOf(["not-a-uuid"])).toEqual([]);
  });
});
