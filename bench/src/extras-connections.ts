/**
 * Idle authenticated connections on ONE core node (composed as main.ts composes it,
 * servers/node-probe.ts): heap and RSS after a full GC with no connections and with all of them
 * (slope = memory per connection), and authenticated connects per second of each batch, with the
 * CPU seconds the node, PostgreSQL and the load processes spent on the batch (so a saturated
 * generator shows). No GC is forced between batches.
 *
 * The users are inserted with SQL and their socket tokens issued with the shared secret, exactly
 * as nodes.assign issues them (registering ~19k users through argon2 would take a quarter hour).
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate } from "@dim/db";
import { freePort, issueSocketToken } from "@dim/shared/node";
import type { ConnSpec, FromWorker } from "./loadgen/messages";
import { treeUsage } from "./proc-stats";
import { forkTs, stopProcess, waitMessage, waitUntil } from "./procs";
import type { BenchOptions } from "./run";
import { createDatabase, type Services } from "./services";

export interface MemoryPoint {
  connections: number;
  heapUsed: number;
  rss: number;
  external: number;
}

export interface ConnectBatch {
  batch: number;
  /** Authenticated connects per second: batch ÷ wall time from the first setup to the last `welcome`. */
  perSec: number;
  /** CPU seconds during the batch: the node, PostgreSQL (all backends), the load processes together. */
  cpu: { node: number; postgres: number; loadgen: number };
  /** The node's CPU milliseconds per connect, and the connects/s one core would sustain at that cost. */
  nodeCpuMsPerConnect: number;
  perNodeCore: number;
}

export interface ConnectionFigures {
  points: MemoryPoint[];
  heapPerConnectionBytes: number;
  rssPerConnectionBytes: number;
  /** Authenticated connects per second of each batch (one node). */
  connectsPerSec: ConnectBatch[];
  maxConnected: number;
  /**
   * Every load process closes all its sockets at once; timed until the node has released every
   * presence lease (embedded mode, where leases are rows). CPU seconds of the node and PostgreSQL.
   */
  massDisconnect?: { connections: number; seconds: number; perSec: number; cpu: { node: number; postgres: number } };
  /** Load processes per batch, connects in flight per process, the connecting client. */
  load: { processes: number; inFlight: number; client: "lean" | "ws" };
}

export interface ConnectionRun {
  services: Services;
  /** Environment of the node (database, token secret, log level…). */
  env: Record<string, string>;
  sql: pg.Pool;
  tokenSecret: string;
  tag: string;
  /** Cumulative connection targets, e.g. 1000, 5000, 10000, 19000. */
  targets: number[];
  processes: number;
  inFlight: number;
  client: "lean" | "ws";
  verbose: boolean;
  /** Extra environment of the node, as DIM's nodes get it (BENCH_NODE_ARGS: --cpu-prof with --profile; --swap). */
  nodeEnv: Record<string, string>;
  /** Forked processes are pushed here (the caller stops them). */
  children: ChildProcess[];
  log(line: string): void;
  note(line: string): void;
}

/** Least-squares slope of y over x. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

type Ready = Extract<FromWorker, { ev: "ready" }>;
const readyOf = (m: unknown) => ((m as FromWorker).ev === "ready" ? (m as Ready) : undefined);

export async function measureIdleConnections(run: ConnectionRun): Promise<ConnectionFigures> {
  const max = Math.max(...run.targets);
  const ids = (
    await run.sql.query<{ id: string }>(
      `INSERT INTO users (id, username, password_hash, display_name)
       SELECT gen_random_uuid(), 'c_' || g, 'not-a-hash', 'conn ' || g FROM generate_series(1, $1::int) g RETURNING id::text`,
      [max],
    )
  ).rows.map((r) => r.id);
  // Each user gets a live session, as a login would: a node checks the token's session at `auth`.
  const sessionOf = new Map(
    (
      await run.sql.query<{ id: string; user_id: string }>(
        `INSERT INTO sessions (id, user_id, token_hash, expires_at)
         SELECT gen_random_uuid(), u, md5(random()::text) || md5(random()::text), now() + interval '1 day'
         FROM unnest($1::uuid[]) u RETURNING id::text, user_id::text`,
        [ids],
      )
    ).rows.map((r) => [r.user_id, r.id]),
  );
  const port = await freePort();
  const nodeId = `bench-${run.tag}-probe`;
  const probe = forkTs(
    "servers/node-probe.ts",
    "node-probe",
    { ...run.env, ...run.nodeEnv, DIM_NODE_ID: nodeId, DIM_NODE_PORT: String(port), DIM_IDLE_TIMEOUT_MS: "3600000", DIM_MAX_CONNECTIONS: String(max + 100) },
    run.verbose,
    ["--expose-gc", ...(run.nodeEnv.BENCH_NODE_ARGS?.split(" ") ?? [])],
  );
  run.children.push(probe);
  const { wsUrl } = await waitMessage(probe, (m) => ((m as { wsUrl?: string }).wsUrl ? (m as { wsUrl: string }) : undefined), "node probe", 120_000);
  const ask = async (connections: number): Promise<MemoryPoint> => {
    const p = waitMessage(probe, (m) => ((m as { mem?: NodeJS.MemoryUsage }).mem ? (m as { mem: NodeJS.MemoryUsage; connections: number }) : undefined), "memory probe", 60_000);
    probe.send({ cmd: "mem" });
    const r = await p;
    return { connections: r.connections ?? connections, heapUsed: r.mem.heapUsed, rss: r.mem.rss, external: r.mem.external };
  };
  const points: MemoryPoint[] = [await ask(0)];
  // The load processes are started once (an empty setup answers once a process is up) and hold
  // the connections of every batch; each batch is timed from handing every process its share to
  // the last `welcome`.
  const workers = Array.from({ length: run.processes }, (_, i) => {
    const w = forkTs("loadgen/worker.ts", `conn-${i}`, {}, run.verbose);
    run.children.push(w);
    return w;
  });
  await Promise.all(
    workers.map((w) => {
      const up = waitMessage(w, readyOf, "load process start", 120_000);
      w.send({ cmd: "setup", system: "dim", conns: [], pairs: [], connectConcurrency: 1 });
      return up;
    }),
  );
  const connectsPerSec: ConnectBatch[] = [];
  let connected = 0;
  for (const target of [...run.targets].sort((x, y) => x - y)) {
    const batch = target - connected;
    if (batch <= 0) continue;
    const chunks: ConnSpec[][] = workers.map(() => []);
    for (let i = connected; i < target; i++) {
      const { token } = issueSocketToken({ userId: ids[i]!, sessionId: sessionOf.get(ids[i]!)!, nodeId, ttlMs: 30 * 60 * 1000 }, run.tokenSecret);
      // Keys are unique across batches: a load process holds the connections of every batch.
      chunks[i % chunks.length]!.push({ key: i, userId: ids[i]!, url: wsUrl, token, localAddress: `127.0.0.${2 + (i % 50)}` });
    }
    const pids = [probe.pid!, run.services.postgres().pid, ...workers.map((w) => w.pid!)];
    const cpu0 = treeUsage(pids).map((u) => u.cpuSeconds);
    const started = performance.now();
    const readies = await Promise.all(
      workers.map((w, i) => {
        if (chunks[i]!.length === 0) return { failed: 0 } as Ready;
        const ready = waitMessage(w, readyOf, "connect batch", 600_000);
        w.send({ cmd: "setup", system: "dim", conns: chunks[i]!, pairs: [], connectConcurrency: run.inFlight, idle: run.client === "lean" });
        return ready;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = treeUsage(pids).map((u, i) => u.cpuSeconds - cpu0[i]!);
    const failed = readies.reduce((x, r) => x + r.failed, 0);
    if (failed > 0) {
      run.note(`connections: ${failed} of ${batch} failed at ${target} (${readies.find((r) => r.firstError)?.firstError}); stopped there`);
      break;
    }
    const round2 = (x: number) => Math.round(x * 100) / 100;
    const figures: ConnectBatch = {
      batch,
      perSec: Math.round(batch / seconds),
      cpu: { node: round2(cpu[0]!), postgres: round2(cpu[1]!), loadgen: round2(cpu.slice(2).reduce((a, b) => a + b, 0)) },
      nodeCpuMsPerConnect: round2((cpu[0]! * 1000) / batch),
      perNodeCore: cpu[0]! > 0 ? Math.round(batch / cpu[0]!) : 0,
    };
    connectsPerSec.push(figures);
    connected = target;
    run.log(
      `${connected} idle connections: ` +
        `batch of ${batch} connected at ${figures.perSec}/s in ${seconds.toFixed(2)} s ` +
        `(node ${figures.nodeCpuMsPerConnect} ms CPU per connect ≈ ${figures.perNodeCore}/s per node core; CPU s: node ${figures.cpu.node}, postgres ${figures.cpu.postgres}, ${workers.length} load processes ${figures.cpu.loadgen}; ${run.inFlight} in flight each, ${run.client} client)`,
    );
  }
  // Memory once every batch is in (not between batches: the probe's forced full GCs discard
  // compiled code, and the next timed batch would pay to compile the connect path again — a
  // live node in a connect storm never does: ~16 % more connects per node core without them, A/B).
  if (connected > 0) {
    const point = await ask(connected);
    points.push(point);
    run.log(`${point.connections} idle connections: heap ${(point.heapUsed / 2 ** 20).toFixed(1)} MiB, RSS ${(point.rss / 2 ** 20).toFixed(1)} MiB`);
  }
  let massDisconnect: ConnectionFigures["massDisconnect"];
  if (connected > 0 && run.services.mode === "embedded") {
    const leases = async () =>
      (await run.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM presence_leases WHERE node_id = $1", [nodeId])).rows[0]!.n;
    const pids = [probe.pid!, run.services.postgres().pid];
    const cpu0 = treeUsage(pids).map((u) => u.cpuSeconds);
    const started = performance.now();
    await Promise.all(
      workers.map((w) => {
        const closed = waitMessage(w, (m) => ((m as { ev?: string }).ev === "closed" ? m : undefined), "close", 60_000);
        w.send({ cmd: "close" });
        return closed;
      }),
    );
    await waitUntil(async () => (await leases()) === 0, "every presence lease released", 120_000, 20);
    const seconds = (performance.now() - started) / 1000;
    const cpu = treeUsage(pids).map((u, i) => Math.round((u.cpuSeconds - cpu0[i]!) * 100) / 100);
    massDisconnect = { connections: connected, seconds: Math.round(seconds * 100) / 100, perSec: Math.round(connected / seconds), cpu: { node: cpu[0]!, postgres: cpu[1]! } };
    run.log(
      `mass disconnect: ${connected} sockets closed at once, every lease released in ${massDisconnect.seconds} s (${massDisconnect.perSec}/s; CPU s: node ${cpu[0]}, postgres ${cpu[1]})`,
    );
  }
  const xs = points.map((p) => p.connections);
  const out: ConnectionFigures = {
    points,
    heapPerConnectionBytes: Math.round(slope(xs, points.map((p) => p.heapUsed))),
    rssPerConnectionBytes: Math.round(slope(xs, points.map((p) => p.rss))),
    connectsPerSec,
    maxConnected: connected,
    ...(massDisconnect ? { massDisconnect } : {}),
    load: { processes: run.processes, inFlight: run.inFlight, client: run.client },
  };
  run.note(
    `idle connections on one node: up to ${connected}; heap ${out.heapPerConnectionBytes} B and RSS ${out.rssPerConnectionBytes} B per connection (slope); ` +
      `connects/s per batch: ${connectsPerSec.map((c) => c.perSec).join(", ")}; per node core (batch ÷ node CPU s): ${connectsPerSec.map((c) => c.perNodeCore).join(", ")} (${run.processes} load processes × ${run.inFlight} in flight, ${run.client} client)`,
  );
  return out;
}

/** A fresh database for the extras, the environment of DIM processes on it, a small SQL pool. */
export async function openExtrasDatabase(services: Services): Promise<{ tag: string; env: Record<string, string>; sql: pg.Pool; tokenSecret: string }> {
  const tag = `x${Math.random().toString(36).slice(2, 6)}`;
  const db = `dim_extras_${tag}`;
  await createDatabase(services.pgAdminUrl, db);
  const databaseUrl = services.pgUrl(db);
  await migrate(databaseUrl, {});
  const tokenSecret = randomBytes(24).toString("base64url");
  const env = { ...services.dimEnv, DATABASE_URL: databaseUrl, DIM_TOKEN_SECRET: tokenSecret, DIM_LOG_LEVEL: "warn", NODE_ENV: "production" };
  return { tag, env, sql: new pg.Pool({ connectionString: databaseUrl, max: 2 }), tokenSecret };
}

/** The bench options' part of a ConnectionRun; notes go to `notes` and the log. */
export function connectionRunOf(opts: BenchOptions, log: (l: string) => void, notes: { notes: string[] }): Pick<ConnectionRun, "targets" | "processes" | "inFlight" | "client" | "verbose" | "nodeEnv" | "log" | "note"> {
  const cfg = opts.extras!;
  return {
    targets: cfg.connections,
    processes: cfg.connectProcesses,
    inFlight: cfg.connectInFlight,
    client: cfg.connectClient,
    verbose: opts.verbose,
    nodeEnv: opts.nodeEnv ?? {},
    log,
    note: (line) => {
      notes.notes.push(line);
      log(line);
    },
  };
}

/** Only the connection figures (`--extras connections`): a fresh database, one node, its load processes. */
export async function measureConnectionExtras(services: Services, opts: BenchOptions): Promise<{ notes: string[]; connections?: ConnectionFigures }> {
  const log = (l: string) => opts.log(`  [extras] ${l}`);
  const out: { notes: string[]; connections?: ConnectionFigures } = { notes: [] };
  const { tag, env, sql, tokenSecret } = await openExtrasDatabase(services);
  const children: ChildProcess[] = [];
  try {
    out.connections = await measureIdleConnections({ ...connectionRunOf(opts, log, out), services, env, sql, tokenSecret, tag, children });
  } catch (err) {
    out.notes.push(`extras failed: ${err instanceof Error ? err.message : String(err)}`);
    log(out.notes.at(-1)!);
  } finally {
    await stopChildren(children);
    await sql.end();
  }
  return out;
}

/** Asks each child to close, then stops it (the latest first). */
export async function stopChildren(children: ChildProcess[], keep?: ChildProcess): Promise<void> {
  for (const c of [...children].reverse()) {
    try {
      if (c !== keep && c.connected) c.send({ cmd: "close" });
    } catch {
      // already gone
    }
    await stopProcess(c, 5_000);
  }
}
