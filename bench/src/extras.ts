/**
 * DIM-only figures beyond message throughput, on a fresh database and fresh processes:
 *  - registrations/s and logins/s through the gateway (argon2id bound), login latency;
 *  - a 50-message history page (conversations.history) with N messages stored in one conversation
 *    (rows bulk-inserted with SQL: we measure reading, not writing them);
 *  - idle authenticated connections on ONE core node: heap and RSS after a full GC at each step
 *    (slope = memory per connection) and authenticated connects per second. The users of this
 *    part are inserted with SQL and their socket tokens issued with the shared secret, exactly as
 *    nodes.assign issues them (registering ~19k users through argon2 would take a quarter hour).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createGatewayClient } from "@dim/client";
import { migrate } from "@dim/db";
import { freePort, issueSocketToken } from "@dim/shared/node";
import { newHistogram, percentiles, recordUs, type Percentiles } from "./hdr";
import type { ConnSpec, FromWorker } from "./loadgen/messages";
import { forkTs, mapLimit, stopProcess, waitMessage } from "./procs";
import { createDatabase, type Services } from "./services";
import { registerUsers } from "./systems";
import type { BenchOptions } from "./run";

export interface MemoryPoint {
  connections: number;
  heapUsed: number;
  rss: number;
  external: number;
}

export interface DimExtras {
  notes: string[];
  logins?: { users: number; registerPerSec: number; loginPerSec: number; login: Percentiles; register: Percentiles };
  history?: { messages: number; requests: number; page: Percentiles; newestPage: Percentiles };
  connections?: {
    points: MemoryPoint[];
    heapPerConnectionBytes: number;
    rssPerConnectionBytes: number;
    /** Authenticated connects per second of each batch (one node). */
    connectsPerSec: Array<{ batch: number; perSec: number }>;
    maxConnected: number;
  };
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
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

export async function measureDimExtras(services: Services, opts: BenchOptions): Promise<DimExtras> {
  const cfg = opts.extras!;
  const log = (l: string) => opts.log(`  [extras] ${l}`);
  const out: DimExtras = { notes: [] };
  const tag = `x${Math.random().toString(36).slice(2, 6)}`;
  const db = `dim_extras_${tag}`;
  await createDatabase(services.pgAdminUrl, db);
  const databaseUrl = services.pgUrl(db);
  await migrate(databaseUrl, {});
  const tokenSecret = randomBytes(24).toString("base64url");
  const env = { ...services.dimEnv, DATABASE_URL: databaseUrl, DIM_TOKEN_SECRET: tokenSecret, DIM_LOG_LEVEL: "warn", NODE_ENV: "production" };
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const gateway = forkTs("servers/gateway-server.ts", "gateway", env, opts.verbose);
  const children = [gateway];
  try {
    const { url: gatewayUrl } = await waitMessage(gateway, (m) => ((m as { url?: string }).url ? (m as { url: string }) : undefined), "gateway");

    // ── registrations and logins ──
    const hReg = newHistogram();
    let t0 = performance.now();
    const users = await mapLimit(
      Array.from({ length: cfg.logins }, (_, i) => i),
      4,
      async (i) => {
        const s = performance.now();
        const [u] = await registerUsers(gatewayUrl, 1, `${tag}_${i}_`, 1);
        recordUs(hReg, (performance.now() - s) * 1000);
        return u!;
      },
    );
    const registerPerSec = cfg.logins / ((performance.now() - t0) / 1000);
    const hLogin = newHistogram();
    t0 = performance.now();
    await mapLimit(users, 4, async (u) => {
      const s = performance.now();
      await createGatewayClient({ baseUrl: gatewayUrl }).auth.login.mutate({ username: u.username, password: "bench-password-1" });
      recordUs(hLogin, (performance.now() - s) * 1000);
    });
    const loginPerSec = cfg.logins / ((performance.now() - t0) / 1000);
    out.logins = { users: cfg.logins, registerPerSec: round1(registerPerSec), loginPerSec: round1(loginPerSec), login: percentiles(hLogin), register: percentiles(hReg) };
    log(`registrations ${round1(registerPerSec)}/s, logins ${round1(loginPerSec)}/s (4 in flight; login p50 ${out.logins.login.p50} ms, p99 ${out.logins.login.p99} ms)`);

    // ── history page with N messages stored ──
    const [a, b] = users as [(typeof users)[0], (typeof users)[0]];
    const gwA = createGatewayClient({ baseUrl: gatewayUrl, sessionToken: a.sessionToken });
    const req = await gwA.contacts.request.mutate({ username: b.username });
    const acc = await createGatewayClient({ baseUrl: gatewayUrl, sessionToken: b.sessionToken }).contacts.accept.mutate({ requestId: req.id });
    const conversationId = acc.contact.conversationId;
    const n = cfg.historyMessages;
    t0 = performance.now();
    for (let from = 1; from <= n; from += 100_000) {
      const to = Math.min(n, from + 99_999);
      await sql.query(
        `INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body)
         SELECT gen_random_uuid(), $1::uuid, g, CASE WHEN g % 2 = 0 THEN $2::uuid ELSE $3::uuid END, 'hist-' || lpad(g::text, 8, '0'), 'text', 'history message number ' || g
         FROM generate_series($4::bigint, $5::bigint) g`,
        [conversationId, a.userId, b.userId, from, to],
      );
    }
    await sql.query("UPDATE conversations SET last_seq = $2 WHERE id = $1::uuid", [conversationId, n]);
    await sql.query("ANALYZE messages");
    log(`stored ${n} messages in one conversation in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const hPage = newHistogram();
    const hNewest = newHistogram();
    const requests = opts.quick ? 50 : 500;
    for (let i = 0; i < requests; i++) {
      const beforeSeq = 51 + Math.floor(Math.random() * (n - 51));
      let s = performance.now();
      const page = await gwA.conversations.history.query({ conversationId, beforeSeq, limit: 50 });
      recordUs(hPage, (performance.now() - s) * 1000);
      if (page.messages.length !== 50) throw new Error(`history page held ${page.messages.length} messages`);
      s = performance.now();
      await gwA.conversations.history.query({ conversationId, limit: 50 });
      recordUs(hNewest, (performance.now() - s) * 1000);
    }
    out.history = { messages: n, requests, page: percentiles(hPage), newestPage: percentiles(hNewest) };
    log(`history page (50, random position) p50 ${out.history.page.p50} ms, p99 ${out.history.page.p99} ms; newest page p99 ${out.history.newestPage.p99} ms (${requests} sequential requests, ${n} messages)`);
    await stopProcess(gateway);

    // ── idle connections: memory per connection and connects/s on one node ──
    const max = Math.max(...cfg.connections);
    const ids = (
      await sql.query<{ id: string }>(
        `INSERT INTO users (id, username, password_hash, display_name)
         SELECT gen_random_uuid(), 'c_' || g, 'not-a-hash', 'conn ' || g FROM generate_series(1, $1::int) g RETURNING id::text`,
        [max],
      )
    ).rows.map((r) => r.id);
    const port = await freePort();
    const nodeId = `bench-${tag}-probe`;
    const probe = forkTs(
      "servers/node-probe.ts",
      "node-probe",
      { ...env, DIM_NODE_ID: nodeId, DIM_NODE_PORT: String(port), DIM_IDLE_TIMEOUT_MS: "3600000", DIM_MAX_CONNECTIONS: String(max + 100) },
      opts.verbose,
      ["--expose-gc"],
    );
    children.push(probe);
    const { wsUrl } = await waitMessage(probe, (m) => ((m as { wsUrl?: string }).wsUrl ? (m as { wsUrl: string }) : undefined), "node probe", 120_000);
    const mem = async (connections: number): Promise<MemoryPoint> => {
      const r = await waitMessage(probe, (m) => ((m as { mem?: NodeJS.MemoryUsage }).mem ? (m as { mem: NodeJS.MemoryUsage; connections: number }) : undefined), "memory probe", 60_000, );
      return { connections: r.connections ?? connections, heapUsed: r.mem.heapUsed, rss: r.mem.rss, external: r.mem.external };
    };
    const ask = async (c: number) => {
      const p = mem(c);
      probe.send({ cmd: "mem" });
      return p;
    };
    const points: MemoryPoint[] = [await ask(0)];
    const connectsPerSec: Array<{ batch: number; perSec: number }> = [];
    let connected = 0;
    const PER_WORKER = 5000;
    for (const target of [...cfg.connections].sort((x, y) => x - y)) {
      const batch = target - connected;
      if (batch <= 0) continue;
      const specs: ConnSpec[] = [];
      for (let i = connected; i < target; i++) {
        const { token } = issueSocketToken({ userId: ids[i]!, nodeId, ttlMs: 30 * 60 * 1000 }, tokenSecret);
        specs.push({ key: i - connected, userId: ids[i]!, url: wsUrl, token, localAddress: `127.0.0.${2 + (i % 50)}` });
      }
      const chunks: ConnSpec[][] = [];
      for (let i = 0; i < specs.length; i += PER_WORKER) chunks.push(specs.slice(i, i + PER_WORKER).map((s, k) => ({ ...s, key: k })));
      const started = performance.now();
      const readies = await Promise.all(
        chunks.map((chunk, i) => {
          const w = forkTs("loadgen/worker.ts", `conn-${connected + i}`, {}, opts.verbose);
          children.push(w);
          const ready = waitMessage(w, (m) => ((m as FromWorker).ev === "ready" ? (m as Extract<FromWorker, { ev: "ready" }>) : undefined), "connect batch", 600_000);
          w.send({ cmd: "setup", system: "dim", conns: chunk, pairs: [], connectConcurrency: 100 });
          return ready;
        }),
      );
      const failed = readies.reduce((x, r) => x + r.failed, 0);
      if (failed > 0) {
        out.notes.push(`connections: ${failed} of ${batch} failed at ${target} (${readies.find((r) => r.firstError)?.firstError}); stopped there`);
        log(out.notes.at(-1)!);
        break;
      }
      // Connect time of the batch, from the workers' own clocks (process start excluded).
      const seconds = Math.max(...readies.map((r) => r.connectMs)) / 1000;
      connectsPerSec.push({ batch, perSec: Math.round(batch / seconds) });
      connected = target;
      const point = await ask(target);
      points.push(point);
      log(
        `${point.connections} idle connections: heap ${(point.heapUsed / 2 ** 20).toFixed(1)} MiB, RSS ${(point.rss / 2 ** 20).toFixed(1)} MiB; ` +
          `batch of ${batch} connected at ${Math.round(batch / seconds)}/s (wall ${((performance.now() - started) / 1000).toFixed(1)} s incl. process start)`,
      );
    }
    const xs = points.map((p) => p.connections);
    out.connections = {
      points,
      heapPerConnectionBytes: Math.round(slope(xs, points.map((p) => p.heapUsed))),
      rssPerConnectionBytes: Math.round(slope(xs, points.map((p) => p.rss))),
      connectsPerSec,
      maxConnected: connected,
    };
    out.notes.push(
      `idle connections on one node: up to ${connected}; heap ${out.connections.heapPerConnectionBytes} B and RSS ${out.connections.rssPerConnectionBytes} B per connection (slope); ` +
        `connects/s per batch: ${connectsPerSec.map((c) => c.perSec).join(", ")}`,
    );
    out.notes.push(`logins ${out.logins.loginPerSec}/s, registrations ${out.logins.registerPerSec}/s; history page p99 ${out.history.page.p99} ms with ${n} messages stored`);
  } catch (err) {
    out.notes.push(`extras failed: ${err instanceof Error ? err.message : String(err)}`);
    log(out.notes.at(-1)!);
  } finally {
    for (const c of children.reverse()) {
      try {
        if (c !== gateway && c.connected) c.send({ cmd: "close" });
      } catch {
        // already gone
      }
      await stopProcess(c, 5_000);
    }
    await sql.end();
  }
  return out;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
