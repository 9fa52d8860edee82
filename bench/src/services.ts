/**
 * The services a run shares: PostgreSQL (DIM's store and baseline b's) and Redis (the Socket.IO
 * adapter's). Embedded mode starts a throw-away embedded PostgreSQL in a temp dir and a
 * `redis-server` of its own; cluster mode uses the cluster launcher's services (those of
 * `npm run infra:up` when running, else it starts them for this run).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "@dim/db";
import { freePort, vapidEnv } from "@dim/shared/node";
import { spawnCmd, stopProcess, waitUntil } from "./procs";
import { DEFAULT_RUN_DIR, clusterEnv, liveState, startInfra, type InfraState, type RunningInfra } from "../../scripts/infra/index";

export interface ServiceProc {
  name: string;
  pid: number;
}

export interface Services {
  mode: "embedded" | "cluster";
  /** URL of a database on the run's PostgreSQL. */
  pgUrl(database: string): string;
  pgAdminUrl: string;
  redisUrl: string;
  /** Extra environment for DIM processes (cluster addresses). */
  dimEnv: Record<string, string>;
  postgres(): ServiceProc;
  redis(): ServiceProc;
  /** Kafka and ZooKeeper in cluster mode. */
  clusterProcs(): ServiceProc[];
  stop(): Promise<void>;
}

export async function createDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}

/** `needsRedis`: only the Socket.IO baselines use Redis in embedded mode. */
export async function startServices(mode: "embedded" | "cluster", log: (l: string) => void, needsRedis = true): Promise<Services> {
  return mode === "embedded" ? startEmbedded(log, needsRedis) : startCluster(log);
}

async function startEmbedded(log: (l: string) => void, needsRedis: boolean): Promise<Services> {
  // The postgres user must traverse every parent: /tmp is fine.
  const dir = mkdtempSync(join(tmpdir(), "dim-bench-"));
  rmSync(dir, { recursive: true, force: true });
  const dataDir = join(dir, "pg");
  const port = await freePort();
  log(`starting embedded PostgreSQL on port ${port} (${dataDir})`);
  const pgServer = await startEmbeddedPostgres({ dataDir, port, persistent: false });
  const postmasterPid = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);

  const redisPort = await freePort();
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  try {
    redis = needsRedis ? await startRedis(redisPort, log) : undefined;
  } catch (err) {
    // Nothing this run started may outlive it: the PostgreSQL above is stopped before the error goes up.
    await pgServer.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    mode: "embedded",
    pgUrl: (db) => pgServer.urlFor(db),
    pgAdminUrl: pgServer.adminUrl,
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    dimEnv: { DIM_MODE: "embedded" },
    postgres: () => ({ name: "postgres", pid: postmasterPid }),
    redis: () => ({ name: "redis", pid: redis?.pid ?? 0 }),
    clusterProcs: () => [],
    async stop() {
      if (redis) await stopProcess(redis, 3_000);
      await pgServer.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startRedis(redisPort: number, log: (l: string) => void) {
  log(`starting redis-server on port ${redisPort}`);
  const redis = spawnCmd("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], "redis");
  const cannotStart = new Promise<never>((_, reject) => redis.once("error", (err) => reject(new Error(`redis-server could not start: ${err.message}`))));
  const ready = waitUntil(
    async () => {
      const { Redis } = await import("ioredis");
      const r = new Redis({ port: redisPort, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        await r.connect();
        return (await r.ping()) === "PONG";
      } finally {
        r.disconnect();
      }
    },
    "redis-server",
    20_000,
  );
  await Promise.race([ready, cannotStart]);
  return redis;
}

async function startCluster(log: (l: string) => void): Promise<Services> {
  let state: InfraState | undefined = liveState(DEFAULT_RUN_DIR);
  let owned: RunningInfra | undefined;
  const runDir = join(DEFAULT_RUN_DIR, "..", "bench-run");
  if (state) {
    log(`using the running cluster services (npm run infra:up): ${state.kafka.brokers}, ${state.zookeeper.connect}, ${state.redis.url}`);
  } else {
    log("starting the cluster services (Kafka, ZooKeeper, Redis, PostgreSQL) for this run …");
    owned = await startInfra({ runDir, fresh: true, progress: (l) => log(`[infra] ${l}`) });
    state = owned.state();
  }
  const current = () => owned?.state() ?? state!;
  const base = new URL(state.postgres.databaseUrl);
  const urlFor = (db: string) => {
    const u = new URL(base.toString());
    u.pathname = `/${db}`;
    return u.toString();
  };
  const env = clusterEnv(state);
  return {
    mode: "cluster",
    pgUrl: urlFor,
    pgAdminUrl: state.postgres.adminUrl,
    redisUrl: state.redis.url,
    dimEnv: { DIM_MODE: "cluster", DIM_KAFKA_BROKERS: env.DIM_KAFKA_BROKERS!, DIM_ZK_CONNECT: env.DIM_ZK_CONNECT!, DIM_REDIS_URL: env.DIM_REDIS_URL!, ...vapidEnv() },
    postgres: () => ({ name: "postgres", pid: current().postgres.pid }),
    redis: () => ({ name: "redis", pid: current().redis.pid }),
    clusterProcs: () => [
      { name: "kafka", pid: current().kafka.pid },
      { name: "zookeeper", pid: current().zookeeper.pid },
    ],
    async stop() {
      if (!owned) return;
      await owned.shutdown();
      rmSync(runDir, { recursive: true, force: true }); // the run's data (Kafka logs, PostgreSQL) is thrown away
    },
  };
}
