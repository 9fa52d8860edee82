/**
 * The whole system on real infrastructure, for the cluster system tests: Kafka, ZooKeeper, Redis
 * and PostgreSQL from the cluster project's global setup (scripts/infra/vitest-cluster-setup.ts,
 * or the services `npm run infra:up` started), a standalone gateway in this process (ZooKeeper
 * registry, Redis presence, Kafka bus from `createInfra` in cluster mode; attachments in a bucket of
 * its own on the services' S3 server, through `createBlobStore` in cluster mode), and core nodes as real
 * child processes (`node --import tsx src/main.ts`, DIM_MODE=cluster).
 *
 * Each test file gets its own database, ZooKeeper root and node ids, so runs never see each
 * other's nodes. Node processes are started through `setpriv --pdeathsig TERM` (they are
 * signalled if this worker dies) and are killed in afterAll and on process exit, even when a test
 * failed.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, afterEach, beforeAll, inject } from "vitest";
import WebSocket from "ws";
import { startStandaloneGateway, type GatewayConfigInput, type StandaloneGateway } from "@dim/api";
import {
  createGatewayClient,
  DimClient,
  gatewayPort,
  type ChatMessage,
  type GatewayClient,
  type WebSocketConstructor,
} from "@dim/client";
import { createPrisma, PrismaMessageStore, type PrismaClient } from "@dim/db";
import { createTestDatabase, type TestDatabase } from "@dim/db/testing";
import { blobConfigSchema, createBlobStore, createInfra, infraConfigSchema, type BlobStore, type Infra } from "@dim/infra";
import { createLogger, loadConfig, vapidEnv } from "@dim/shared/node";
import { infraControl, type InfraControl } from "../../../scripts/infra/control";
import { DEFAULT_RUN_DIR } from "../../../scripts/infra/paths";
import { dropBucket } from "../../../scripts/infra/s3-drop-bucket";
import { clusterEnv, liveState, type InfraState } from "../../../scripts/infra/state";
import { sleep } from "@dim/shared/async";
export { sleep };

declare module "vitest" {
  export interface ProvidedContext {
    dimCluster: InfraState;
  }
}

const CORE_NODE_DIR = fileURLToPath(new URL("../..", import.meta.url));
const PASSWORD = "correct horse battery staple";
const LOG_TAIL_LINES = 60;


/** The services of this run: provided by the cluster project's global setup, else `npm run infra:up`'s. */
export function clusterState(): InfraState {
  const provided = inject("dimCluster");
  if (provided) return provided;
  const running = liveState(process.env.DIM_INFRA_RUN_DIR ?? DEFAULT_RUN_DIR);
  if (running) return running;
  throw new Error("cluster services are not available: run with `npx vitest run --project cluster` or start them with `npm run infra:up`");
}

/**
 * Waits until `check` passes, polling: it passes when it returns without throwing and what it
 * returns is not `false` (so both `expect(...)` bodies and boolean predicates wait). The deadline
 * is generous on purpose: these tests prove behaviour, never speed.
 */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== false) return value;
      last = new Error("the check still returns false");
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const reason = last instanceof Error ? last.message : String(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${reason}`);
    }
    await sleep(intervalMs);
  }
}

// ───────────────────────────── core node processes ─────────────────────────────

let canPdeathsig: boolean | undefined;
const allChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort (a crashed worker, an afterAll that threw): nothing outlives this process.
  process.on("exit", () => {
    for (const child of allChildren) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
}

export class NodeProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  private readonly tail: string[] = [];
  private readonly out: WriteStream;
  private readyInfo: { wsUrl: string; metricsUrl: string | undefined } | undefined;
  private readonly readyWaiters: Array<(err?: Error) => void> = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly nodeId: string,
    env: Record<string, string>,
    logDir: string,
  ) {
    canPdeathsig ??= !spawnSync("setpriv", ["--version"]).error;
    const nodeArgs = ["--import", "tsx", "src/main.ts"];
    const [file, args] = canPdeathsig
      ? ["setpriv", ["--pdeathsig", "TERM", "--", process.execPath, ...nodeArgs]]
      : [process.execPath, nodeArgs];
    this.logFile = join(logDir, `${nodeId}.log`);
    this.out = createWriteStream(this.logFile);
    this.child = spawn(file, args, { cwd: CORE_NODE_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    installExitHook();
    allChildren.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        allChildren.delete(this.child);
        this.out.end();
        const err = new Error(`core node ${nodeId} exited (${signal ?? code}) before it was ready:\n${this.logTail()}`);
        for (const w of this.readyWaiters.splice(0)) w(err);
        resolve({ code, signal });
      });
    });
    const echo = process.env.DIM_TEST_NODE_LOGS === "1";
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        this.out.write(`${line}\n`);
        this.tail.push(line);
        if (this.tail.length > LOG_TAIL_LINES) this.tail.shift();
        if (echo) process.stderr.write(`[${nodeId}] ${line}\n`);
        if (!this.readyInfo && line.includes('"ready"')) this.onMaybeReady(line);
      });
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get wsUrl(): string {
    if (!this.readyInfo) throw new Error(`node ${this.nodeId} is not ready`);
    return this.readyInfo.wsUrl;
  }

  /** Its `GET /metrics` (loopback, a free port: the default metrics listener), as main.ts logged it. */
  get metricsUrl(): string {
    if (!this.readyInfo?.metricsUrl) throw new Error(`node ${this.nodeId} is not ready or serves no metrics`);
    return this.readyInfo.metricsUrl;
  }

  private onMaybeReady(line: string): void {
    try {
      const entry = JSON.parse(line) as { msg?: string; wsUrl?: string; metricsUrl?: string };
      if (entry.msg !== "ready" || typeof entry.wsUrl !== "string") return;
      this.readyInfo = { wsUrl: entry.wsUrl, metricsUrl: entry.metricsUrl };
      for (const w of this.readyWaiters.splice(0)) w();
    } catch {
      /* not JSON */
    }
  }

  /** Resolves once main.ts logged "ready" (its topic exists, it is registered in ZooKeeper). */
  ready(timeoutMs = 90_000): Promise<void> {
    if (this.readyInfo) return Promise.resolve();
    if (!this.alive) return Promise.reject(new Error(`core node ${this.nodeId} is not running:\n${this.logTail()}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`core node ${this.nodeId} not ready after ${timeoutMs} ms:\n${this.logTail()}`)), timeoutMs);
      this.readyWaiters.push((err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** The crash the issue asks for: no goodbye to ZooKeeper, Redis or Kafka. */
  async kill9(): Promise<void> {
    if (this.alive) this.child.kill("SIGKILL");
    await this.exited;
  }

  /** Graceful stop (SIGTERM: deregister, close sockets, release leases, delete the topic); SIGKILL after 30 s. */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.alive) this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 30_000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  logTail(): string {
    return this.tail.map((l) => `  [${this.nodeId}] ${l}`).join("\n");
  }
}

// ───────────────────────────── the system ─────────────────────────────

export interface Person {
  id: string;
  username: string;
  token: string;
  api: GatewayClient;
}

export interface SystemOptions {
  /** Short label for ids (node ids, ZooKeeper root, log directory). */
  label: string;
  /** Core nodes started before the tests. */
  nodes: number;
  /** Extra environment for every core node. */
  nodeEnv?: Record<string, string>;
  /** Gateway settings over this file's defaults (e.g. the unsent-upload sweep). */
  gatewayConfig?: Partial<GatewayConfigInput>;
}

/** Node environment defaults of these tests: short leases so a crash shows within seconds. */
export const TEST_NODE_ENV = {
  DIM_REGISTRY_TTL_MS: "4000",
  DIM_PRESENCE_TTL_MS: "3000",
  DIM_KAFKA_PARTITIONS: "3",
  // SIGTERM drains: short, so that stopping a node with clients stays well inside stop()'s 30 s.
  DIM_DRAIN_MS: "2000",
} as const;

export class ClusterSystem {
  readonly run = randomBytes(3).toString("hex");
  readonly zkRoot: string;
  readonly bucket: string;
  readonly secret = randomBytes(32).toString("base64url");
  readonly logDir: string;
  readonly nodes = new Map<string, NodeProcess>();
  readonly clients = new Set<DimClient>();
  private nodeCounter = 0;
  private userCounter = 0;

  state!: InfraState;
  db!: TestDatabase;
  prisma!: PrismaClient;
  gatewayInfra!: Infra;
  /** The gateway's blob store: S3 (Versity Gateway), bucket `bucket`. */
  blobs!: BlobStore;
  gateway!: StandaloneGateway;
  readonly vapid = vapidEnv();

  constructor(readonly opts: SystemOptions) {
    this.bucket = `dim-systest-${this.run}`;
    this.zkRoot = `/dim-systest/${opts.label}-${this.run}`;
    this.logDir = join(tmpdir(), "dim-cluster-tests", `${opts.label}-${this.run}`);
  }

  /** The environment of this system's cluster mode (also the gateway's infra config). */
  infraEnv(): Record<string, string> {
    return {
      ...clusterEnv(this.state),
      // the same key pair on every node of the system (cluster mode requires one)
      ...this.vapid,
      DATABASE_URL: this.db.url,
      DIM_ZK_ROOT: this.zkRoot,
      DIM_S3_BUCKET: this.bucket,
      ...TEST_NODE_ENV,
      ...this.opts.nodeEnv,
    };
  }

  control(): InfraControl {
    return infraControl(this.state.controlUrl);
  }

  async start(): Promise<void> {
    mkdirSync(this.logDir, { recursive: true });
    this.state = clusterState();
    this.db = await createTestDatabase();
    this.prisma = createPrisma(this.db.url);
    const config = loadConfig(infraConfigSchema, this.infraEnv(), "infra");
    this.gatewayInfra = await createInfra(config, { databaseUrl: this.db.url, logger: createLogger("systest-gateway") });
    this.blobs = await createBlobStore(loadConfig(blobConfigSchema, this.infraEnv(), "blobs"));
    this.gateway = await startStandaloneGateway({
      port: 0,
      prisma: this.prisma,
      store: new PrismaMessageStore(this.prisma),
      registry: this.gatewayInfra.registry,
      presence: this.gatewayInfra.presence,
      bus: this.gatewayInfra.bus,
      rates: this.gatewayInfra.rates, // the throttles' buckets in Redis, as in production
      blobs: this.blobs,
      config: {
        tokenSecret: this.secret,
        assignStrategy: "round-robin",
        registerMaxPerIp: 0,
        loginMaxAttemptsPerIp: 10_000,
        // the nodes' key pair; loopback endpoints when the nodes accept them (DIM_PUSH_ALLOW_LOOPBACK)
        push: { publicKey: this.vapid.DIM_VAPID_PUBLIC_KEY!, allowLoopback: this.opts.nodeEnv?.DIM_PUSH_ALLOW_LOOPBACK === "1" },
        ...this.opts.gatewayConfig,
      },
    });
    // The nodes boot together (each migrates the same database under an advisory lock).
    const started = Array.from({ length: this.opts.nodes }, () => this.spawnNode());
    await Promise.all(started.map((n) => n.ready()));
    await this.waitLive(started.map((n) => n.nodeId));
  }

  /** Starts one more core node process (not waited for: call `.ready()`). */
  spawnNode(): NodeProcess {
    const nodeId = `sys-${this.opts.label}-${this.run}-${++this.nodeCounter}`;
    const env: Record<string, string> = {
      ...cleanEnv(),
      ...this.infraEnv(),
      DIM_NODE_ID: nodeId,
      DIM_NODE_HOST: "127.0.0.1",
      DIM_NODE_PORT: "0",
      DIM_TOKEN_SECRET: this.secret,
      DIM_LOG_LEVEL: process.env.DIM_TEST_NODE_LOG_LEVEL ?? "info",
      DIM_LOG_PRETTY: "0",
    };
    const node = new NodeProcess(nodeId, env, this.logDir);
    this.nodes.set(nodeId, node);
    return node;
  }

  async startNode(): Promise<NodeProcess> {
    const node = this.spawnNode();
    await node.ready();
    return node;
  }

  /** Waits until the gateway's ZooKeeper view holds exactly these nodes. */
  async waitLive(nodeIds: string[], timeoutMs = 30_000): Promise<void> {
    const want = [...nodeIds].sort();
    await eventually(
      async () => {
        const live = await this.liveNodeIds();
        if (JSON.stringify(live) !== JSON.stringify(want)) throw new Error(`live ${JSON.stringify(live)}, want ${JSON.stringify(want)}`);
      },
      "the gateway's live node set",
      timeoutMs,
    );
  }

  async liveNodeIds(): Promise<string[]> {
    return (await this.gatewayInfra.registry.liveNodes()).map((n) => n.nodeId).sort();
  }

  node(nodeId: string): NodeProcess {
    const node = this.nodes.get(nodeId);
    if (!node) throw new Error(`unknown node ${nodeId}`);
    return node;
  }

  // ───────────────────────────── people and clients ─────────────────────────────

  async register(name: string): Promise<Person> {
    const username = `${name}_${this.run}_${++this.userCounter}`;
    const anon = createGatewayClient({ baseUrl: this.gateway.url });
    const session = await anon.auth.register.mutate({ username, password: PASSWORD });
    const token = session.sessionToken;
    return { id: session.user.id, username, token, api: createGatewayClient({ baseUrl: this.gateway.url, sessionToken: token }) };
  }

  /** Makes two people contacts; returns their direct conversation. */
  async befriend(a: Person, b: Person): Promise<string> {
    const request = await a.api.contacts.request.mutate({ username: b.username });
    const { contact } = await b.api.contacts.accept.mutate({ requestId: request.id });
    return contact.conversationId;
  }

  client(person: Person): DimClient {
    const client = new DimClient({
      gateway: gatewayPort(person.api),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      backoff: { baseMs: 100, capMs: 1_000 },
    });
    // Errors are expected here (dead nodes, restarts): they are events, not test failures.
    client.on("error", () => undefined);
    this.clients.add(client);
    return client;
  }

  /** Stored messages of a conversation, in seq order (the source of truth). */
  async dbMessages(conversationId: string): Promise<Array<{ id: string; seq: number; senderId: string; clientMsgId: string; body: string }>> {
    const rows = await this.prisma.message.findMany({ where: { conversationId }, orderBy: { seq: "asc" } });
    return rows.map((r) => ({ id: r.id, seq: Number(r.seq), senderId: r.senderId, clientMsgId: r.clientMsgId, body: r.body }));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.clients].map((c) => c.stop()));
    // Graceful stops in parallel (each deletes its topic); anything left is killed.
    const results = await Promise.allSettled([...this.nodes.values()].map(async (n) => ({ id: n.nodeId, exit: await n.stop() })));
    // A killed node leaves its topic and consumer group behind (by design): remove them here.
    const leftovers = results.flatMap((r) => (r.status === "fulfilled" && r.value.exit.code !== 0 ? [r.value.id] : []));
    if (leftovers.length > 0 && this.state) await deleteNodeTopics(this.state, leftovers).catch(() => undefined);
    await this.gateway?.close().catch(() => undefined);
    await this.gatewayInfra?.close().catch(() => undefined);
    await this.blobs?.close().catch(() => undefined);
    if (this.blobs && this.state) await dropBucket(this.state.s3, this.bucket).catch(() => undefined);
    await this.prisma?.$disconnect().catch(() => undefined);
    await this.db?.drop().catch(() => undefined);
  }

  /** The last lines each node logged (printed when a test failed). */
  logTails(): string {
    return [...this.nodes.values()].map((n) => `${n.nodeId} (${n.alive ? "alive" : "exited"}; full log ${n.logFile}):\n${n.logTail()}`).join("\n");
  }
}

/** docs/cluster.md: each node consumes topic `dim.node.<nodeId>` in consumer group `dim.node.<nodeId>`. */
export const topicOf = (nodeId: string) => `dim.node.${nodeId}`;

async function deleteNodeTopics(state: InfraState, nodeIds: string[]): Promise<void> {
  const admin = new Kafka({ clientId: "dim-systest", brokers: state.kafka.brokers.split(","), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = nodeIds.map(topicOf).filter((t) => existing.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
    // A killed member stays in its group until the group's session timeout: retry for a while.
    let groups = nodeIds.map(topicOf);
    for (let attempt = 1; groups.length > 0 && attempt <= 15; attempt++) {
      try {
        await admin.deleteGroups(groups);
        groups = [];
      } catch (err) {
        const failed = (err as { groups?: Array<{ groupId: string; errorCode: number }> }).groups ?? [];
        // 69 GROUP_ID_NOT_FOUND: never created, or gone already
        groups = failed.filter((g) => g.errorCode !== 0 && g.errorCode !== 69).map((g) => g.groupId);
        if (groups.length > 0) await sleep(1_000);
      }
    }
  } catch (err) {
    console.warn(`could not remove the topics of killed nodes ${nodeIds.join(", ")}: ${String(err)}`);
  } finally {
    await admin.disconnect();
  }
}

/** The worker's environment without vitest's NODE_ENV=test (which silences node logs). */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === "NODE_ENV" || k.startsWith("VITEST") || k.startsWith("DIM_")) continue;
    env[k] = v;
  }
  return env;
}

/** One system for the calling test file: started in beforeAll, torn down in afterAll. */
export function useSystem(opts: SystemOptions): ClusterSystem {
  const system = new ClusterSystem(opts);
  beforeAll(async () => {
    try {
      await system.start();
    } catch (err) {
      console.error(system.logTails());
      throw err;
    }
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === "fail") console.error(`core node logs (last ${LOG_TAIL_LINES} lines each):\n${system.logTails()}`);
  });
  afterAll(() => system.close());
  return system;
}

// ───────────────────────────── client helpers ─────────────────────────────


export function nodeOf(client: DimClient): string {
  const s = client.connectionState;
  if (s.status !== "connected") throw new Error(`not connected: ${s.status}`);
  return s.nodeId;
}

/**
 * Sends numbered messages from one client into one conversation, continuously, with the
 * client's own ACK clocks (a small window of unconfirmed sends). Records what the sender saw
 * ACKed (`sent`: a seq assigned by the server) and what failed.
 */
export class Sender {
  readonly created: string[] = [];
  /** clientMsgId → seq, for every message the server confirmed to this sender. */
  readonly acked = new Map<string, number>();
  readonly failed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private n = 0;
  private readonly off: () => void;

  constructor(
    readonly client: DimClient,
    readonly conversationId: string,
    readonly label: string,
    private readonly window = 4,
  ) {
    this.off = client.on("messageState", (change) => {
      if (change.conversationId !== conversationId) return;
      if (change.seq !== null && !this.acked.has(change.clientMsgId)) this.acked.set(change.clientMsgId, change.seq);
      if (change.state === "failed") this.failed.add(change.clientMsgId);
    });
  }

  /** Starts sending one message every `everyMs` while fewer than `window` are unconfirmed. */
  start(everyMs = 60): void {
    this.timer = setInterval(() => {
      const pending = this.client.outbox.filter((i) => i.conversationId === this.conversationId && i.state === "sending").length;
      if (pending >= this.window) return;
      const m = this.client.send(this.conversationId, `${this.label}-${++this.n}`);
      this.created.push(m.clientMsgId);
    }, everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Retries failed ones (same clientMsgId: stored at most once) until nothing waits any more. */
  async settle(timeoutMs = 60_000): Promise<void> {
    this.stop();
    await eventually(
      () => {
        const mine = this.client.outbox.filter((i) => i.conversationId === this.conversationId);
        for (const item of mine) if (item.state === "failed") this.client.retry(item.clientMsgId);
        if (mine.length > 0) throw new Error(`${this.label}: ${mine.length} unconfirmed (${mine.map((i) => i.state).join(",")})`);
      },
      `${this.label}'s outbox to empty`,
      timeoutMs,
      250,
    );
  }

  dispose(): void {
    this.stop();
    this.off();
  }
}

/** The client's view of a conversation as [seq, clientMsgId] (stored messages only). */
export function heldMessages(client: DimClient, conversationId: string): ChatMessage[] {
  return client.conversationMessages(conversationId).filter((m) => m.seq !== null);
}

export { randomUUID };
