import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createTestDatabase, type TestDatabase } from "@dim/db/testing";
import { AppError } from "@dim/shared";
import { createLogger, freePort, loadConfig } from "@dim/shared/node";
import { createInfra, infraConfigSchema } from "../src/config";
import { eventually, receipt, withEnvelopes, type BusEnvelope } from "./helpers";

const load = (env: Record<string, string | undefined>) => loadConfig(infraConfigSchema, env, "infra");

describe("infraConfigSchema", () => {
  it("defaults to embedded with sensible cluster defaults", () => {
    expect(load({})).toEqual({
      DIM_MODE: "embedded",
      DIM_KAFKA_PARTITIONS: 6,
      DIM_KAFKA_REPLICATION: 1,
      DIM_ZK_ROOT: "/dim",
      DIM_REGISTRY_TTL_MS: 10_000,
    });
  });

  it("requires the cluster addresses in cluster mode, naming each", () => {
    const err = (() => {
      try {
        load({ DIM_MODE: "cluster", DIM_ZK_CONNECT: "" });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    const { code, message } = err as AppError;
    expect(code).toBe("INVALID_CONFIG");
    for (const name of ["DIM_KAFKA_BROKERS", "DIM_ZK_CONNECT", "DIM_REDIS_URL"]) {
      expect(message).toContain(`${name} is required when DIM_MODE=cluster`);
    }
  });

  it("parses a full cluster configuration", () => {
    const c = load({
      DIM_MODE: "cluster",
      DIM_KAFKA_BROKERS: "127.0.0.1:9092, 127.0.0.1:9093",
      DIM_KAFKA_PARTITIONS: "12",
      DIM_KAFKA_REPLICATION: "3",
      DIM_ZK_CONNECT: "127.0.0.1:2181,127.0.0.2:2181",
      DIM_ZK_ROOT: "/dim-test",
      DIM_REDIS_URL: "redis://127.0.0.1:6379",
      DIM_REGISTRY_TTL_MS: "6000",
    });
    expect(c.DIM_KAFKA_BROKERS).toEqual(["127.0.0.1:9092", "127.0.0.1:9093"]);
    expect(c).toMatchObject({ DIM_KAFKA_PARTITIONS: 12, DIM_KAFKA_REPLICATION: 3, DIM_ZK_ROOT: "/dim-test", DIM_REGISTRY_TTL_MS: 6000 });
  });

  it.each([
    { DIM_MODE: "kubernetes" },
    { DIM_KAFKA_BROKERS: "no-port" },
    { DIM_KAFKA_PARTITIONS: "0" },
    { DIM_ZK_ROOT: "dim" },
    { DIM_ZK_ROOT: "/dim/" },
    { DIM_REDIS_URL: "http://127.0.0.1:6379" },
    { DIM_REGISTRY_TTL_MS: "abc" },
  ])("rejects %o", (env) => {
    expect(() => load(env)).toThrow(AppError);
  });
});

describe("createInfra (embedded)", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("wires the PostgreSQL bus, registry and presence; close is idempotent", async () => {
    const logger = createLogger("test");
    const config = load({ DIM_REGISTRY_TTL_MS: "2000" });
    const a = await createInfra(config, { databaseUrl: db.url, logger });
    const b = await createInfra(config, { databaseUrl: db.url, logger });
    onTestFinished(() => Promise.all([a.close(), b.close()]).then(() => undefined));

    const reg = await a.registry.register({
      nodeId: "node-1",
      host: "127.0.0.1",
      wsPort: 7001,
      httpPort: 7001,
      wsUrl: "ws://127.0.0.1:7001/ws",
      startedAt: new Date().toISOString(),
    });
    expect((await b.registry.liveNodes()).map((n) => [n.nodeId, n.epoch])).toEqual([["node-1", reg.epoch]]);

    const userId = randomUUID();
    await a.presence.claim([{ userId, nodeId: "node-1", connectionId: "c1" }], 10_000);
    expect(await b.presence.routesOf([userId])).toEqual([{ userId, nodeId: "node-1", connectionId: "c1" }]);

    const got: BusEnvelope[] = [];
    await withEnvelopes(a.bus).subscribe("node-1", async (e) => {
      got.push(e);
    });
    const e = receipt(randomUUID(), 1);
    await withEnvelopes(b.bus).publish("node-1", e);
    await eventually(() => expect(got).toEqual([e]));

    await a.close();
    await a.close();
    expect(await b.registry.liveNodes()).toEqual([]);
  });
});

describe("createInfra (cluster)", () => {
  it("hands cluster mode to the cluster implementation, which fails clearly when ZooKeeper is absent", async () => {
    const closed = await freePort();
    const config = load({
      DIM_MODE: "cluster",
      DIM_KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
      DIM_ZK_CONNECT: `127.0.0.1:${closed}`,
      DIM_REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      DIM_REGISTRY_TTL_MS: "1000",
    });
    const err = await createInfra(config, { databaseUrl: "postgresql://unused", logger: createLogger("test") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toContain(`127.0.0.1:${closed}`);
  }, 90_000); // the cluster registry's bounded connection retries take several seconds
});
