/**
 * The systems under test, each started fresh for a run and stopped after it:
 *   dim          — DIM: gateway process + N core-node processes (DIM_MODE embedded|cluster), every
 *                  message stored, both ACK legs;
 *   socketio     — baseline (a): N Socket.IO 4 servers + @socket.io/redis-adapter, no storage;
 *   socketio-pg  — baseline (b): the same + an INSERT of every message into PostgreSQL first;
 *   ws           — baseline (c): N raw `ws` relays (the ceiling);
 *   socketio-rooms — the group steps' baseline: baseline (a)'s servers, members in a room per group,
 *                  `io.to(room).emit`, no storage (group steps only).
 * prepare() creates users (DIM: through the gateway: register, contact request + accept,
 * nodes.assign pinned to the planned node) and returns what the load generators connect.
 */
import { randomBytes } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import { createGatewayClient } from "@dim/client";
import { migrate } from "@dim/db";
import { freePort } from "@dim/shared/node";
import type { ConnSpec, PairSpec, SystemKind } from "./loadgen/messages";
import { forkTs, mapLimit, spawnCmd, stopProcess, waitMessage, waitUntil } from "./procs";
import { createDatabase, type ServiceProc, type Services } from "./services";
import { baselineGroups, prepareDimGroups, type PreparedGroups } from "./group-setup";

export const SYSTEM_NAMES = ["dim", "socketio", "socketio-pg", "ws", "socketio-rooms"] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];
/** Systems that run the pairs ladder / the group steps. */
export const PAIR_SYSTEMS: readonly SystemName[] = ["dim", "socketio", "socketio-pg", "ws"];
export const GROUP_SYSTEMS: readonly SystemName[] = ["dim", "socketio-rooms"];

export interface PlannedPair {
  cls: "same" | "cross";
  /** Server index of each end. */
  fromServer: number;
  toServer: number;
}

export interface Prepared {
  /** One per user: pair i has users 2i (from) and 2i+1 (to). */
  users: Array<{ userId: string; url: string; token?: string }>;
  conversationIds: Array<string | undefined>;
}

export interface RunningSystem {
  name: SystemName;
  kind: SystemKind;
  servers: number;
  /** Server-side processes whose CPU counts for this system (trees are summed). */
  processes(): ServiceProc[];
  prepare(pairs: PlannedPair[], log: (l: string) => void): Promise<Prepared>;
  /** Group steps: members 0 … max(sizes)-1 spread over the servers, one group per size (see group-setup.ts). */
  prepareGroups?(sizes: number[], log: (l: string) => void): Promise<PreparedGroups>;
  stop(): Promise<void>;
  /** DIM only: extras the harness measures (gateway URL, node health URLs, database URL). */
  dim?: { gatewayUrl: string; nodeHttp: string[]; nodePids: number[]; databaseUrl: string; nodeIds: string[] };
}

export interface SystemOptions {
  services: Services;
  servers: number;
  tag: string;
  verbose: boolean;
  /** Extra environment for the DIM core nodes (e.g. DIM_CPU_PROF). */
  nodeEnv?: Record<string, string>;
}

export function plan(pairs: number, servers: number, crossShare: number): PlannedPair[] {
  const cross = servers < 2 ? 0 : Math.round(pairs * crossShare);
  return Array.from({ length: pairs }, (_, i): PlannedPair => {
    const s = i % servers;
    return i < cross ? { cls: "cross", fromServer: s, toServer: (s + 1) % servers } : { cls: "same", fromServer: s, toServer: s };
  });
}

export function toSpecs(prepared: Prepared, pairs: PlannedPair[], workers: number, localAddrs: number) {
  const out = Array.from({ length: workers }, () => ({ conns: [] as ConnSpec[], pairs: [] as PairSpec[] }));
  let addr = 0;
  pairs.forEach((p, i) => {
    const w = out[i % workers]!;
    const mk = (u: { userId: string; url: string; token?: string }): number => {
      const key = w.conns.length;
      w.conns.push({ key, userId: u.userId, url: u.url, ...(u.token ? { token: u.token } : {}), localAddress: `127.0.0.${2 + (addr++ % localAddrs)}` });
      return key;
    };
    const from = mk(prepared.users[2 * i]!);
    const to = mk(prepared.users[2 * i + 1]!);
    const conversationId = prepared.conversationIds[i];
    w.pairs.push({ from, to, cls: p.cls, ...(conversationId ? { conversationId } : {}) });
  });
  return out;
}

export async function startSystem(name: SystemName, opts: SystemOptions): Promise<RunningSystem> {
  switch (name) {
    case "dim":
      return startDim(opts);
    case "socketio":
    case "socketio-pg":
    case "socketio-rooms":
      return startSocketIo(name, opts);
    case "ws":
      return startWsRelay(opts);
  }
}

// ───────────────────────────── DIM ─────────────────────────────

async function startDim(opts: SystemOptions): Promise<RunningSystem> {
  const { services } = opts;
  const db = `dim_bench_${opts.tag}`;
  await createDatabase(services.pgAdminUrl, db);
  const databaseUrl = services.pgUrl(db);
  await migrate(databaseUrl, {});
  const tokenSecret = randomBytes(24).toString("base64url");
  const common = {
    ...services.dimEnv,
    DATABASE_URL: databaseUrl,
    DIM_TOKEN_SECRET: tokenSecret,
    DIM_LOG_LEVEL: process.env.DIM_LOG_LEVEL ?? "warn",
    NODE_ENV: "production",
  };
  const gateway = forkTs("servers/gateway-server.ts", "gateway", common, opts.verbose);
  const nodes: ChildProcess[] = [];
  const nodeHttp: string[] = [];
  const nodeIds: string[] = [];
  for (let i = 0; i < opts.servers; i++) {
    const port = await freePort();
    const nodeId = `bench-${opts.tag}-n${i + 1}`;
    nodeIds.push(nodeId);
    nodeHttp.push(`http://127.0.0.1:${port}`);
    nodes.push(
      spawnCmd(
        process.execPath,
        [...(opts.nodeEnv?.BENCH_NODE_ARGS ? opts.nodeEnv.BENCH_NODE_ARGS.split(" ") : []), "--import", "tsx", "core-node/src/main.ts"],
        `node-${i + 1}`,
        {
          ...common,
          ...opts.nodeEnv,
          DIM_NODE_ID: nodeId,
          DIM_NODE_PORT: String(port),
          // Bench clients never idle out between steps and may send above the default per-socket rate.
          DIM_IDLE_TIMEOUT_MS: "3600000",
          DIM_SEND_RATE_PER_SEC: "2000",
          DIM_SEND_BURST: "4000",
          DIM_MAX_CONNECTIONS: "20000",
        },
        opts.verbose,
      ),
    );
  }
  const { url: gatewayUrl } = await waitMessage(gateway, (m) => ((m as { url?: string }).url ? (m as { url: string }) : undefined), "gateway");
  for (const base of nodeHttp) {
    await waitUntil(async () => {
      const r = await fetch(`${base}/healthz`);
      return r.ok && ((await r.json()) as { phase?: string }).phase === "running";
    }, `core node ${base}`, 120_000);
  }
  const stop = async () => {
    await Promise.all(nodes.map((n) => stopProcess(n)));
    await stopProcess(gateway);
  };
  return {
    name: "dim",
    kind: "dim",
    servers: opts.servers,
    dim: { gatewayUrl, nodeHttp, nodePids: nodes.map((n) => n.pid ?? 0), databaseUrl, nodeIds },
    processes: () => [
      ...nodes.map((n, i) => ({ name: `node-${i + 1}`, pid: n.pid ?? 0 })),
      { name: "gateway", pid: gateway.pid ?? 0 },
      services.postgres(),
      ...(services.mode === "cluster" ? [services.redis(), ...services.clusterProcs()] : []),
    ],
    async prepare(pairs, log) {
      return prepareDim(gatewayUrl, nodeIds, pairs, opts.tag, log);
    },
    prepareGroups: (sizes, log) => prepareDimGroups(gatewayUrl, nodeIds, sizes, opts.tag, log),
    stop,
  };
}

type Gw = ReturnType<typeof createGatewayClient>;

export async function registerUsers(gatewayUrl: string, count: number, prefix: string, concurrency = 4) {
  const password = "bench-password-1";
  return mapLimit(Array.from({ length: count }, (_, i) => i), concurrency, async (i) => {
    const gw = createGatewayClient({ baseUrl: gatewayUrl });
    const username = `${prefix}${i}`;
    const s = await gw.auth.register.mutate({ username, password });
    return { username, userId: s.user.id, sessionToken: s.sessionToken };
  });
}

async function prepareDim(gatewayUrl: string, nodeIds: string[], pairs: PlannedPair[], tag: string, log: (l: string) => void): Promise<Prepared> {
  const t0 = Date.now();
  const prefix = `b${tag.replace(/[^a-z0-9]/g, "")}_`.slice(0, 16);
  const users = await registerUsers(gatewayUrl, pairs.length * 2, prefix);
  log(`registered ${users.length} users in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const client = (token: string): Gw => createGatewayClient({ baseUrl: gatewayUrl, sessionToken: token });
  const conversationIds = await mapLimit(pairs, 8, async (_p, i) => {
    const a = users[2 * i]!;
    const b = users[2 * i + 1]!;
    const req = await client(a.sessionToken).contacts.request.mutate({ username: b.username });
    const acc = await client(b.sessionToken).contacts.accept.mutate({ requestId: req.id });
    return acc.contact.conversationId;
  });
  log(`created ${pairs.length} contact pairs (conversations)`);
  // Each socket token is pinned to the planned node by excluding the others.
  const assigned = await mapLimit(users, 8, async (u, i) => {
    const p = pairs[Math.floor(i / 2)]!;
    const server = i % 2 === 0 ? p.fromServer : p.toServer;
    const want = nodeIds[server]!;
    const a = await client(u.sessionToken).nodes.assign.mutate({ exclude: nodeIds.filter((n) => n !== want) });
    if (a.nodeId !== want) throw new Error(`nodes.assign gave ${a.nodeId}, wanted ${want}`);
    return { userId: u.userId, url: a.wsUrl, token: a.token };
  });
  log(`assigned ${assigned.length} socket tokens in ${((Date.now() - t0) / 1000).toFixed(1)} s total`);
  return { users: assigned, conversationIds };
}

// ───────────────────────────── baselines ─────────────────────────────

async function startSocketIo(name: "socketio" | "socketio-pg" | "socketio-rooms", opts: SystemOptions): Promise<RunningSystem> {
  const { services } = opts;
  let pgUrl: string | undefined;
  if (name === "socketio-pg") {
    const db = `chat_bench_${opts.tag}`;
    await createDatabase(services.pgAdminUrl, db);
    pgUrl = services.pgUrl(db);
  }
  const servers: ChildProcess[] = [];
  const urls: string[] = [];
  for (let i = 0; i < opts.servers; i++) {
    const c = forkTs("servers/socketio-server.ts", `${name}-${i + 1}`, { BENCH_REDIS_URL: services.redisUrl, ...(pgUrl ? { BENCH_PG_URL: pgUrl } : {}) }, opts.verbose);
    servers.push(c);
    const { port } = await waitMessage(c, (m) => ((m as { port?: number }).port ? (m as { port: number }) : undefined), name);
    urls.push(`http://127.0.0.1:${port}`);
  }
  return {
    name,
    kind: "socketio",
    servers: opts.servers,
    processes: () => [
      ...servers.map((s, i) => ({ name: `${name}-${i + 1}`, pid: s.pid ?? 0 })),
      services.redis(),
      ...(pgUrl ? [services.postgres()] : []),
    ],
    prepare: async (pairs) => baselineUsers(pairs, urls, opts.tag),
    prepareGroups: async (sizes) => baselineGroups(urls, sizes, opts.tag),
    stop: async () => {
      await Promise.all(servers.map((s) => stopProcess(s)));
    },
  };
}

async function startWsRelay(opts: SystemOptions): Promise<RunningSystem> {
  const servers: ChildProcess[] = [];
  const urls: string[] = [];
  for (let i = 0; i < opts.servers; i++) {
    const c = forkTs("servers/ws-relay-server.ts", `ws-${i + 1}`, {}, opts.verbose);
    servers.push(c);
    const { port } = await waitMessage(c, (m) => ((m as { port?: number }).port ? (m as { port: number }) : undefined), "ws relay");
    urls.push(`ws://127.0.0.1:${port}`);
  }
  await Promise.all(
    servers.map((s, i) => {
      const peered = waitMessage(s, (m) => ((m as { peered?: boolean }).peered ? true : undefined), "ws relay peering", 20_000);
      s.send({ peers: urls.filter((_, j) => j !== i) });
      return peered;
    }),
  );
  return {
    name: "ws",
    kind: "ws",
    servers: opts.servers,
    processes: () => servers.map((s, i) => ({ name: `ws-${i + 1}`, pid: s.pid ?? 0 })),
    prepare: async (pairs) => baselineUsers(pairs, urls, opts.tag),
    stop: async () => {
      await Promise.all(servers.map((s) => stopProcess(s)));
    },
  };
}

function baselineUsers(pairs: PlannedPair[], urls: string[], tag: string): Prepared {
  const users = pairs.flatMap((p, i) => [
    { userId: `${tag}-u${2 * i}`, url: urls[p.fromServer]! },
    { userId: `${tag}-u${2 * i + 1}`, url: urls[p.toServer]! },
  ]);
  return { users, conversationIds: pairs.map(() => undefined) };
}
