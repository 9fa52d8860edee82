/**
 * The cluster a chaos run drives: the real services (Kafka, ZooKeeper, Redis, PostgreSQL — started
 * here under the run's own directory, or ones already running handed in), a database of its own,
 * the gateway and N core nodes as child processes (child.ts) on loopback. Node ids are never
 * reused (a killed node's replacement is a new id). `close()` stops everything it started;
 * idempotent.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { createGatewayClient, type GatewayClient } from "@dim/client";
import { migrate } from "@dim/db";
import { REPO_ROOT } from "../../packages/shared/src/node/dev-secret";
import { freePort } from "../../packages/shared/src/node/free-port";
import { vapidEnv } from "../../packages/shared/src/node/push-config";
import { infraControl } from "../infra/control";
import { startInfra, type RunningInfra } from "../infra/infra";
import type { ServiceName } from "../infra/services";
import { clusterEnv, type InfraState } from "../infra/state";
import { Child } from "./child";
import type { StoredRow } from "./history";

/** Short leases, as in the cluster tests: a crash shows within seconds. */
export const CHAOS_NODE_ENV = { DIM_REGISTRY_TTL_MS: "4000", DIM_PRESENCE_TTL_MS: "3000", DIM_KAFKA_PARTITIONS: "3" } as const;
const PASSWORD = "correct horse battery staple";

export interface ClusterOptions {
  runDir: string;
  nodes: number;
  /** Services already running (the cluster test project's); else they are started in runDir. */
  services?: InfraState;
  say(line: string): void;
}

export interface Person {
  id: string;
  username: string;
  token: string;
  api: GatewayClient;
}

export class ChaosCluster {
  readonly run = randomBytes(3).toString("hex");
  readonly secret = randomBytes(32).toString("base64url");
  /** One VAPID key pair for every process of the run (cluster mode requires one). */
  readonly vapid = vapidEnv();
  readonly logDir: string;
  readonly nodes = new Map<string, Child>();
  gateway: Child | undefined;
  gatewayUrl = "";
  private owned: RunningInfra | undefined;
  private state!: InfraState;
  private dbName = "";
  private dbUrl = "";
  private gatewayPort = 0;
  private nodeCounter = 0;
  private userCounter = 0;
  private closing: Promise<void> | undefined;

  constructor(readonly opts: ClusterOptions) {
    this.logDir = join(opts.runDir, "logs");
  }

  async start(): Promise<void> {
    mkdirSync(this.logDir, { recursive: true });
    if (this.opts.services) this.state = this.opts.services;
    else {
      this.opts.say(`starting Kafka, ZooKeeper, Redis, PostgreSQL, S3 under ${this.opts.runDir} …`);
      this.owned = await startInfra({ runDir: join(this.opts.runDir, "infra"), fresh: true, progress: (l) => this.opts.say(`  ${l}`) });
      this.state = this.owned.state();
    }
    this.dbName = `dim_chaos_${this.run}`;
    await this.admin(`CREATE DATABASE ${this.dbName}`);
    this.dbUrl = this.state.postgres.adminUrl.replace(/\/postgres$/, `/${this.dbName}`);
    await migrate(this.dbUrl);
    this.gatewayPort = await freePort();
    this.opts.say(`starting the gateway and ${this.opts.nodes} core nodes (logs in ${this.logDir}) …`);
    await Promise.all([this.startGateway(), ...Array.from({ length: this.opts.nodes }, () => this.startNode())]);
  }

  env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("DIM_") && !k.startsWith("VITEST") && k !== "NODE_ENV") env[k] = v;
    return {
      ...env,
      ...clusterEnv(this.state),
      DATABASE_URL: this.dbUrl,
      DIM_ZK_ROOT: `/dim-chaos/${this.run}`,
      DIM_TOKEN_SECRET: this.secret,
      ...this.vapid,
      DIM_LOG_PRETTY: "0",
      DIM_LOG_LEVEL: "info",
      // marks every process of this run (the cleanup test looks for it in /proc/*/environ)
      DIM_CHAOS_MARK: this.opts.runDir,
      ...CHAOS_NODE_ENV,
    };
  }

  async startGateway(): Promise<void> {
    this.gateway = new Child({
      name: "gateway",
      args: ["--import", "tsx", join(REPO_ROOT, "scripts/chaos/gateway-process.ts")],
      cwd: REPO_ROOT,
      env: { ...this.env(), DIM_CHAOS_GATEWAY_PORT: String(this.gatewayPort) },
      logDir: this.logDir,
      ready: (e) => (e.msg === "chaos gateway ready" && typeof e.url === "string" ? e.url : undefined),
    });
    this.gatewayUrl = await this.gateway.ready();
  }

  async startNode(): Promise<string> {
    const nodeId = `chaos-${this.run}-${++this.nodeCounter}`;
    const child = new Child({
      name: nodeId,
      args: ["--import", "tsx", "src/main.ts"],
      cwd: join(REPO_ROOT, "core-node"),
      env: { ...this.env(), DIM_NODE_ID: nodeId, DIM_NODE_HOST: "127.0.0.1", DIM_NODE_PORT: "0" },
      logDir: this.logDir,
      ready: (e) => (e.msg === "ready" && typeof e.wsUrl === "string" ? e.wsUrl : undefined),
    });
    this.nodes.set(nodeId, child);
    await child.ready();
    return nodeId;
  }

  liveNodes(): string[] {
    return [...this.nodes].filter(([, c]) => c.alive).map(([id]) => id);
  }

  /** Keeps `opts.nodes` core nodes running (after a scenario killed some). */
  async topUp(): Promise<void> {
    for (const [id, c] of this.nodes) if (!c.alive) this.nodes.delete(id);
    while (this.nodes.size < this.opts.nodes) await this.startNode();
  }

  /** restart / kill9 / stop / start a service, through the owner of the services. */
  service(action: "restart" | "kill9" | "stop" | "start", name: ServiceName): Promise<InfraState> {
    return this.owned ? this.owned.control(action, name) : infraControl(this.state.controlUrl)[action](name);
  }

  async register(label: string): Promise<Person> {
    const username = `${label}_${this.run}_${++this.userCounter}`;
    const anon = createGatewayClient({ baseUrl: this.gatewayUrl });
    const s = await anon.auth.register.mutate({ username, password: PASSWORD });
    return { id: s.user.id, username, token: s.sessionToken, api: createGatewayClient({ baseUrl: this.gatewayUrl, sessionToken: s.sessionToken }) };
  }

  async befriend(a: Person, b: Person): Promise<string> {
    const request = await a.api.contacts.request.mutate({ username: b.username });
    const { contact } = await b.api.contacts.accept.mutate({ requestId: request.id });
    return contact.conversationId;
  }

  async group(owner: Person, others: Person[], title: string): Promise<string> {
    const { conversation } = await owner.api.groups.create.mutate({ title, memberIds: others.map((p) => p.id) });
    return conversation.id;
  }

  /** PostgreSQL's rows of these conversations (the source of truth). */
  async storedRows(convs: string[]): Promise<StoredRow[]> {
    const client = new pg.Client({ connectionString: this.dbUrl });
    await client.connect();
    try {
      const res = await client.query<{ conversation_id: string; seq: string; client_msg_id: string | null; sender_id: string | null }>(
        `SELECT conversation_id::text AS conversation_id, seq, client_msg_id, sender_id::text AS sender_id FROM messages WHERE conversation_id = ANY($1::uuid[]) ORDER BY conversation_id, seq`,
        [convs],
      );
      return res.rows.map((r) => ({ conv: r.conversation_id, seq: Number(r.seq), clientMsgId: r.client_msg_id, senderId: r.sender_id }));
    } finally {
      await client.end();
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.nodes.values()].map((c) => c.stop()));
      await this.gateway?.stop();
      if (this.dbName) await this.admin(`DROP DATABASE IF EXISTS ${this.dbName} WITH (FORCE)`).catch(() => undefined);
      await this.owned?.shutdown();
    })();
    return this.closing;
  }

  private async admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.state.postgres.adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}
