// The RateStore contract (rate-store-contract.ts) on the in-process store and on PostgreSQL.
import pg from "pg";
import { afterAll, afterEach, beforeAll } from "vitest";
import { createTestDatabase, type TestDatabase } from "@dim/db/testing";
import { MemoryHub, createMemoryInfra } from "../src/memory/index";
import { PgRateStore } from "../src/pg/pg-rates";
import type { RateStore } from "../src/types";
import { rateStoreContract } from "./rate-store-contract";

const opened: RateStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

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

rateStoreContract("memory (handles on one hub)", () => {
  const hub = new MemoryHub();
  return {
    client() {
      const { rates } = createMemoryInfra(hub);
      opened.push(rates);
      return rates;
    },
    // The hub's store holds one KeyedTokenBuckets per (name, limit); its size counts them all.
    stored: async () => hub.rates.size,
  };
});

rateStoreContract("PostgreSQL", () => ({
  client() {
    const s = new PgRateStore({ databaseUrl: db.url, pruneMs: 0 });
    opened.push(s);
    return s;
  },
  async stored(name) {
    const res = await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM rate_buckets WHERE name = $1", [name]);
    return res.rows[0]!.n;
  },
}));
