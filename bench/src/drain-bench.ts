/**
 * `npm run bench:drain -w @dim/bench [-- --sockets N --drain-ms MS --senders N --rate R]`
 *
 * Two real core nodes (servers/node-probe.ts, composed as main.ts composes them, embedded
 * infrastructure on a throw-away PostgreSQL) hold N sockets, half each; pairs chat across them.
 * Then node A drains (IPC {cmd: "drain"}, the same CoreNode.drain() SIGTERM runs), once with
 * DIM_DRAIN_MS = 0 (everything at once, the old stop) and once with the given window. Reported:
 * reconnects per second that node B sees (max and mean over the drain), and delivery latency
 * (first send → the recipient holds it; re-sends after a close keep the first send time) p50/p99
 * before and during the drain. Clients behave like @dim/client: on 4504 / 4503 they reconnect to
 * the node the gateway would assign (B) after a 250–500 ms jitter, re-send what was not `sent`,
 * and sync what they missed.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import pg from "pg";
import WebSocket from "ws";
import { migrate } from "@dim/db";
import { freePort, issueSocketToken } from "@dim/shared/node";
import { newHistogram, percentiles, recordUs } from "./hdr";
import { forkTs, sleep, stopProcess, waitMessage } from "./procs";
import { createDatabase, startServices } from "./services";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const SOCKETS = Number(args.get("sockets") ?? 1000);
const DRAIN_MS = Number(args.get("drain-ms") ?? 10_000);
const SENDERS = Number(args.get("senders") ?? 100);
const RATE = Number(args.get("rate") ?? 1); // messages per second per sender
const log = (l: string) => console.log(`[drain-bench] ${l}`);

interface Sock {
  userId: string;
  sessionId: string;
  conversationId: string;
  node: "a" | "b";
  ws?: WebSocket;
  welcomed: boolean;
  /** clientMsgId → first send time, until `sent`. */
  unacked: Map<string, { at: number; body: string }>;
  seen: number;
}

async function main(): Promise<void> {
  const services = await startServices("embedded", log, false);
  const tag = `d${Math.random().toString(36).slice(2, 6)}`;
  await createDatabase(services.pgAdminUrl, `dim_drain_${tag}`);
  const databaseUrl = services.pgUrl(`dim_drain_${tag}`);
  await migrate(databaseUrl, {});
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const secret = randomBytes(24).toString("base64url");
  const env = { ...services.dimEnv, DATABASE_URL: databaseUrl, DIM_TOKEN_SECRET: secret, DIM_LOG_LEVEL: "warn", NODE_ENV: "production" };
  const results: string[] = [];
  try {
    for (const drainMs of [0, DRAIN_MS]) results.push(await scenario(sql, env, secret, drainMs));
  } finally {
    await sql.end();
    await services.stop();
  }
  const [l1, l5] = loadavg();
  console.log(`\nsockets ${SOCKETS} (half on the drained node), ${SENDERS} pairs × 2 directions × ${RATE}/s, load average ${l1!.toFixed(2)} / ${l5!.toFixed(2)}`);
  console.log("| DIM_DRAIN_MS | drain took | reconnects/s seen by B: max (mean) | delivery p50 / p99 before | during the drain | messages lost / duplicated |");
  console.log("|---|---|---|---|---|---|");
  for (const r of results) console.log(r);
}

async function scenario(sql: pg.Pool, env: Record<string, string>, secret: string, drainMs: number): Promise<string> {
  const pairs = SOCKETS / 2;
  const users = (
    await sql.query<{ id: string; sid: string }>(
      `WITH u AS (INSERT INTO users (id, username, password_hash, display_name)
         SELECT gen_random_uuid(), 'dr_' || left(md5(random()::text), 24), 'x', 'drain' FROM generate_series(1, $1::int) RETURNING id)
       INSERT INTO sessions (id, user_id, token_hash, expires_at)
         SELECT gen_random_uuid(), id, md5(random()::text) || md5(random()::text), now() + interval '1 day' FROM u
       RETURNING user_id::text AS id, id::text AS sid`,
      [SOCKETS],
    )
  ).rows;
  const socks: Sock[] = [];
  for (let p = 0; p < pairs; p++) {
    const x = users[2 * p]!;
    const y = users[2 * p + 1]!;
    const conversationId = randomUUID();
    await sql.query(`INSERT INTO conversations (id, kind, direct_key, updated_at) VALUES ($1, 'direct', $2, now())`, [conversationId, [x.id, y.id].sort().join(":")]);
    await sql.query(`INSERT INTO conversation_members (conversation_id, user_id) VALUES ($1, $2), ($1, $3)`, [conversationId, x.id, y.id]);
    // a direct conversation is written to only while its two users are contacts (both rows)
    await sql.query(`INSERT INTO contacts (owner_id, peer_id, conversation_id) VALUES ($2, $3, $1), ($3, $2, $1) ON CONFLICT DO NOTHING`, [conversationId, x.id, y.id]);
    // Pair members on different nodes: every message crosses the bus, the drained half moves.
    for (const [u, node] of [[x, "a"], [y, "b"]] as const) socks.push({ userId: u.id, sessionId: u.sid, conversationId, node, welcomed: false, unacked: new Map(), seen: 0 });
  }
  const ports = { a: await freePort(), b: await freePort() };
  const ids = { a: `drain-${randomUUID().slice(0, 6)}-a`, b: `drain-${randomUUID().slice(0, 6)}-b` };
  const nodeEnv = (k: "a" | "b") => ({ ...env, DIM_NODE_ID: ids[k], DIM_NODE_PORT: String(ports[k]), DIM_DRAIN_MS: String(drainMs), DIM_MAX_CONNECTIONS: String(SOCKETS + 100), DIM_IDLE_TIMEOUT_MS: "600000" });
  const procA = forkTs("servers/node-probe.ts", "node-a", nodeEnv("a"));
  const procB = forkTs("servers/node-probe.ts", "node-b", nodeEnv("b"));
  const ready = (m: unknown) => ((m as { ready?: boolean }).ready ? true : undefined);
  await Promise.all([waitMessage(procA, ready, "node a"), waitMessage(procB, ready, "node b")]);

  const seqsOf = new Map<string, Set<number>>(); // clientMsgId → the seqs it was delivered under (>1: stored twice)
  let redeliveries = 0; // the same seq again (a re-push or a sync overlapping a push): the client drops it
  const sentAt = new Map<string, number>(); // clientMsgId → first send
  let phase: "before" | "during" | "after" = "before";
  const hist = { before: newHistogram(), during: newHistogram() };
  const reconnectsAtB: number[] = [];
  const partnerOf = (s: Sock) => socks[socks.indexOf(s) ^ 1]!;

  const connect = (s: Sock, reconnect: boolean) =>
    new Promise<void>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${ports[s.node]}/ws`);
      s.ws = ws;
      s.welcomed = false;
      ws.on("open", () => {
        const { token } = issueSocketToken({ userId: s.userId, sessionId: s.sessionId, nodeId: ids[s.node], ttlMs: 600_000 }, secret);
        ws.send(JSON.stringify({ type: "auth", v: 1, token }));
      });
      ws.on("message", (data) => {
        const f = JSON.parse(data.toString()) as { type: string; [k: string]: unknown };
        if (f.type === "welcome") {
          s.welcomed = true;
          if (reconnect && s.node === "b") reconnectsAtB.push(performance.now());
          const c = (f.conversations as Array<{ conversationId: string; lastSeq: number }>).find((x) => x.conversationId === s.conversationId);
          if (c && c.lastSeq > s.seen) ws.send(JSON.stringify({ type: "sync", conversationId: s.conversationId, afterSeq: s.seen }));
          for (const [clientMsgId, m] of s.unacked) ws.send(JSON.stringify({ type: "send", conversationId: s.conversationId, clientMsgId, kind: "text", body: m.body }));
          resolve();
        } else if (f.type === "sent") s.unacked.delete(f.clientMsgId as string);
        else if (f.type === "message" || f.type === "sync.batch") {
          const msgs = f.type === "message" ? [f.message as { seq: number; clientMsgId: string; senderId: string }] : (f.messages as Array<{ seq: number; clientMsgId: string; senderId: string }>);
          for (const m of msgs) {
            if (m.senderId === s.userId) continue;
            (seqsOf.get(m.clientMsgId) ?? seqsOf.set(m.clientMsgId, new Set()).get(m.clientMsgId)!).add(m.seq);
            if (m.seq <= s.seen) {
              redeliveries++;
              ws.send(JSON.stringify({ type: "ack", conversationId: s.conversationId, seq: m.seq }));
              continue;
            }
            s.seen = Math.max(s.seen, m.seq);
            const t0 = sentAt.get(m.clientMsgId);
            if (t0 !== undefined && phase !== "after") recordUs(hist[phase], (performance.now() - t0) * 1000);
            ws.send(JSON.stringify({ type: "ack", conversationId: s.conversationId, seq: m.seq }));
          }
          if (f.type === "sync.batch" && f.hasMore) ws.send(JSON.stringify({ type: "sync", conversationId: s.conversationId, afterSeq: s.seen }));
        }
      });
      ws.on("close", (code) => {
        if (s.ws !== ws || phase === "after") return;
        if (code === 4504 || code === 4503 || code === 1006) {
          // What @dim/client does: reconnect through the gateway (which assigns B) after its jitter.
          s.node = "b";
          setTimeout(() => void connect(s, true), 250 + Math.random() * 250);
        }
      });
      ws.on("error", () => {});
    });

  for (let i = 0; i < socks.length; i += 200) await Promise.all(socks.slice(i, i + 200).map((s) => connect(s, false)));
  log(`DIM_DRAIN_MS=${drainMs}: ${socks.length} sockets connected`);

  let traffic = true;
  const senders = socks.slice(0, SENDERS * 2);
  const loop = (async () => {
    let n = 0;
    while (traffic) {
      for (const s of senders) {
        if (!s.welcomed || s.ws?.readyState !== WebSocket.OPEN) continue;
        const clientMsgId = `b-${++n}-${randomUUID().slice(0, 8)}`;
        const body = `m${n}`;
        sentAt.set(clientMsgId, performance.now());
        s.unacked.set(clientMsgId, { at: performance.now(), body });
        s.ws.send(JSON.stringify({ type: "send", conversationId: s.conversationId, clientMsgId, kind: "text", body }));
      }
      await sleep(1000 / RATE);
    }
  })();

  await sleep(5000);
  phase = "during";
  const t0 = performance.now();
  procA.send({ cmd: "drain" });
  await waitMessage(procA, (m) => ((m as { drained?: boolean }).drained ? true : undefined), "drain", drainMs + 60_000);
  const tookMs = performance.now() - t0;
  while (socks.some((s) => !s.welcomed)) await sleep(100);
  await sleep(1000);
  phase = "after";
  traffic = false;
  await loop;
  // Let re-sends and syncs settle, then count.
  for (let i = 0; i < 100 && socks.some((s) => s.unacked.size > 0); i++) await sleep(100);
  await sleep(2000);
  for (const s of socks) if (s.welcomed) s.ws!.send(JSON.stringify({ type: "sync", conversationId: s.conversationId, afterSeq: s.seen }));
  await sleep(2000);
  const lost = [...sentAt.keys()].filter((id) => !seqsOf.has(id)).length;
  const dup = [...seqsOf.values()].filter((v) => v.size > 1).length;
  const unacked = socks.reduce((n, s) => n + s.unacked.size, 0);

  const perSec = new Map<number, number>();
  for (const t of reconnectsAtB) perSec.set(Math.floor((t - t0) / 1000), (perSec.get(Math.floor((t - t0) / 1000)) ?? 0) + 1);
  const max = Math.max(0, ...perSec.values());
  const mean = reconnectsAtB.length / Math.max(1, (Math.max(...reconnectsAtB) - t0) / 1000);
  const before = percentiles(hist.before);
  const during = percentiles(hist.during);
  for (const s of socks) s.ws?.close();
  await Promise.all([stopProcess(procA), stopProcess(procB)]);
  await sql.query(`DELETE FROM node_leases`);
  const ms = (v: number) => v.toFixed(1); // percentiles() gives milliseconds
  const line = `| ${drainMs} | ${(tookMs / 1000).toFixed(1)} s | ${max} (${mean.toFixed(0)}) of ${reconnectsAtB.length} | ${ms(before.p50)} / ${ms(before.p99)} ms | ${ms(during.p50)} / ${ms(during.p99)} ms | ${lost} / ${dup} (of ${sentAt.size}; unacked at end ${unacked}; same-seq re-deliveries ${redeliveries}) |`;
  log(line);
  return line;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
