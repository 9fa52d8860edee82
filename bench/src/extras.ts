/**
 * DIM-only figures beyond message throughput, on a fresh database and fresh processes:
 *  - registrations/s and logins/s through the gateway (argon2id bound), login latency;
 *  - a 50-message history page (conversations.history) with N messages stored in one conversation
 *    (rows bulk-inserted with SQL: we measure reading, not writing them);
 *  - idle authenticated connections on ONE core node: heap and RSS after a full GC at each step
 *    (slope = memory per connection) and authenticated connects per second. The users of this
 *    part are inserted with SQL and their socket tokens issued with the shared secret, exactly as
 *    nodes.assign issues them (registering ~19k users through argon2 would take a quarter hour);
 *  - uploads: file MB/s, image ms per megapixel, gateway memory during a large upload
 *    (extras-uploads.ts, with its own gateway and blob directory).
 */
import { createGatewayClient } from "@dim/client";
import { connectionRunOf, measureIdleConnections, openExtrasDatabase, stopChildren, type ConnectionFigures } from "./extras-connections";
import { newHistogram, percentiles, recordUs, type Percentiles } from "./hdr";
import { forkTs, mapLimit, stopProcess, waitMessage } from "./procs";
import { treeUsage } from "./proc-stats";
import { measureUploads, uploadNote, type UploadFigures } from "./extras-uploads";
import type { Services } from "./services";
import { registerUsers } from "./systems";
import type { BenchOptions } from "./run";

export type { MemoryPoint } from "./extras-connections";

export interface DimExtras {
  notes: string[];
  logins?: { users: number; registerPerSec: number; loginPerSec: number; login: Percentiles; register: Percentiles };
  history?: {
    messages: number;
    requests: number;
    page: Percentiles;
    newestPage: Percentiles;
    /** CPU milliseconds per timed request (random and newest alike): load-independent, unlike the latencies. */
    cpuMsPerRequest?: { gateway: number; postgres: number; client: number };
  };
  connections?: ConnectionFigures;
  uploads?: UploadFigures;
}

export async function measureDimExtras(services: Services, opts: BenchOptions): Promise<DimExtras> {
  const cfg = opts.extras!;
  const log = (l: string) => opts.log(`  [extras] ${l}`);
  const out: DimExtras = { notes: [] };
  const { tag, env, sql, tokenSecret } = await openExtrasDatabase(services);
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
    // Steady state: a conversation's old rows have long been vacuumed (visibility map set, no
    // autovacuum of a million fresh rows running while we time the pages).
    await sql.query("VACUUM ANALYZE messages");
    log(`stored ${n} messages in one conversation in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const hPage = newHistogram();
    const hNewest = newHistogram();
    const requests = opts.quick ? 50 : 500;
    // Each timed call is one real HTTP round trip (typed client → gateway process → PostgreSQL),
    // sequential; the first `warmup` pairs are not recorded (JIT, pooled connections, prepared
    // statements, keep-alive socket).
    const warmup = opts.quick ? 10 : 100;
    let cpu0 = { tree: [0, 0], client: process.cpuUsage() };
    for (let i = -warmup; i < requests; i++) {
      if (i === 0) cpu0 = { tree: treeUsage([gateway.pid ?? 0, services.postgres().pid]).map((u) => u.cpuSeconds), client: process.cpuUsage() };
      const beforeSeq = 51 + Math.floor(Math.random() * (n - 51));
      let s = performance.now();
      const page = await gwA.conversations.history.query({ conversationId, beforeSeq, limit: 50 });
      if (i >= 0) recordUs(hPage, (performance.now() - s) * 1000);
      if (page.messages.length !== 50 || page.messages[0]!.seq !== beforeSeq - 50) throw new Error(`history page before ${beforeSeq} held ${page.messages.length} messages from seq ${page.messages[0]?.seq}`);
      s = performance.now();
      const newest = await gwA.conversations.history.query({ conversationId, limit: 50 });
      if (i >= 0) recordUs(hNewest, (performance.now() - s) * 1000);
      if (newest.lastSeq !== n || newest.messages.at(-1)?.seq !== n) throw new Error(`newest page ended at seq ${newest.messages.at(-1)?.seq}, lastSeq ${newest.lastSeq}`);
    }
    const [gatewayCpu, postgresCpu] = treeUsage([gateway.pid ?? 0, services.postgres().pid]).map((u, j) => u.cpuSeconds - cpu0.tree[j]!);
    const clientCpu = process.cpuUsage(cpu0.client);
    const perRequest = (seconds: number) => Math.round((seconds * 1000 * 100) / (2 * requests)) / 100;
    const cpuMsPerRequest = { gateway: perRequest(gatewayCpu!), postgres: perRequest(postgresCpu!), client: perRequest((clientCpu.user + clientCpu.system) / 1e6) };
    out.history = { messages: n, requests, page: percentiles(hPage), newestPage: percentiles(hNewest), cpuMsPerRequest };
    log(
      `history page (50, random position) p50 ${out.history.page.p50} ms, p99 ${out.history.page.p99} ms; newest page p50 ${out.history.newestPage.p50} ms, p99 ${out.history.newestPage.p99} ms ` +
        `(${requests} sequential requests each after ${warmup} unrecorded, ${n} messages); CPU ms per request: gateway ${cpuMsPerRequest.gateway}, postgres ${cpuMsPerRequest.postgres}, client ${cpuMsPerRequest.client}`,
    );
    await stopProcess(gateway);

    // ── idle connections: memory per connection and connects/s on one node ──
    out.connections = await measureIdleConnections({ ...connectionRunOf(opts, log, out), services, env, sql, tokenSecret, tag, children });
    out.notes.push(`logins ${out.logins.loginPerSec}/s, registrations ${out.logins.registerPerSec}/s; history page p99 ${out.history.page.p99} ms with ${n} messages stored`);
    await stopChildren(children);
    out.uploads = await measureUploads(services, opts, cfg.uploads, log);
    out.notes.push(uploadNote(out.uploads));
  } catch (err) {
    out.notes.push(`extras failed: ${err instanceof Error ? err.message : String(err)}`);
    log(out.notes.at(-1)!);
  } finally {
    await stopChildren(children, gateway);
    await sql.end();
  }
  return out;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
