/**
 * Where the time of `conversations.history` goes, with N messages in one conversation:
 * each piece alone (session lookup, membership, the store's page query through Prisma and through
 * a pg pool), the whole procedure in-process (gateway.fetchHandler, no socket) and over real HTTP
 * (the standalone server, the typed client). Also prints EXPLAIN (ANALYZE, BUFFERS) of the page
 * queries. A throw-away embedded PostgreSQL is started and removed.
 *
 *   npx tsx packages/api/scripts/profile-history.ts [--messages 1000000] [--iterations 500] [--only in-process]
 *   (node --cpu-prof --import tsx … to see inside one of them)
 *
 * Run it under the bench lock (`flock /tmp/dim-bench.lock …`): it is a measurement.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openDatabase, PrismaMessageStore, startEmbeddedPostgres } from "@dim/db";
import { createMemoryInfra } from "@dim/infra";
import { createGatewayClient } from "@dim/client";
import { freePort } from "@dim/shared/node";
import { resolveMember } from "../src/conversations/resolve-member";
import { startStandaloneGateway } from "../src/index";
import { createSqlRows } from "../src/sql";

const { values: args } = parseArgs({
  options: {
    messages: { type: "string", default: "1000000" },
    iterations: { type: "string", default: "500" },
    /** Only the timings whose label contains this (e.g. "in-process", to profile the handler alone). */
    only: { type: "string", default: "" },
  },
});
const N = Number(args.messages);
const ITER = Number(args.iterations);

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  return `p50 ${at(50).toFixed(2)}  p90 ${at(90).toFixed(2)}  p99 ${at(99).toFixed(2)}  max ${s.at(-1)!.toFixed(2)} ms`;
}

/**
 * Warms up (a tenth of the iterations, unrecorded), then times `iterations` sequential calls:
 * wall time percentiles, and this process's CPU time per call (load-independent; for the HTTP
 * rows it includes the client's share, since client and server share this process).
 */
async function time(label: string, fn: (i: number) => Promise<unknown>): Promise<void> {
  if (!label.includes(args.only)) return;
  for (let i = 0; i < Math.max(20, ITER / 10); i++) await fn(i);
  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < ITER; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  console.log(`${label.padEnd(54)} ${stats(samples)}  cpu ${((cpu.user + cpu.system) / 1000 / ITER).toFixed(2)} ms/call`);
}

const dir = mkdtempSync(join(tmpdir(), "dim-hprof-"));
rmSync(dir, { recursive: true, force: true }); // recreated traversable for the postgres user
const pgServer = await startEmbeddedPostgres({ dataDir: join(dir, "pg"), port: await freePort(), persistent: false });
const url = pgServer.urlFor("postgres");
const { prisma, pool, store: withPool, close: closeDb } = await openDatabase(url, "dim-profile");
const infra = createMemoryInfra();
// Wired as createGatewayFromEnv wires it: one pool for the gateway's and the store's statements.
const gw = await startStandaloneGateway({
  port: 0,
  prisma,
  pool,
  store: withPool,
  registry: infra.registry,
  config: { tokenSecret: "profile-secret-0123456789", registerMaxPerIp: 0 },
});
try {
  const anon = createGatewayClient({ baseUrl: gw.url });
  const a = await anon.auth.register.mutate({ username: "prof_a", password: "profile-password-1" });
  const b = await anon.auth.register.mutate({ username: "prof_b", password: "profile-password-1" });
  const gwA = createGatewayClient({ baseUrl: gw.url, sessionToken: a.sessionToken });
  const req = await gwA.contacts.request.mutate({ username: "prof_b" });
  const acc = await createGatewayClient({ baseUrl: gw.url, sessionToken: b.sessionToken }).contacts.accept.mutate({ requestId: req.id });
  const conversationId = acc.contact.conversationId;
  let t0 = performance.now();
  for (let from = 1; from <= N; from += 100_000) {
    await pool.query(
      `INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body)
       SELECT gen_random_uuid(), $1::uuid, g, CASE WHEN g % 2 = 0 THEN $2::uuid ELSE $3::uuid END, 'hist-' || lpad(g::text, 8, '0'), 'text', 'history message number ' || g
       FROM generate_series($4::bigint, $5::bigint) g`,
      [conversationId, a.user.id, b.user.id, from, Math.min(N, from + 99_999)],
    );
  }
  await pool.query("UPDATE conversations SET last_seq = $2 WHERE id = $1::uuid", [conversationId, N]);
  await pool.query("VACUUM ANALYZE messages");
  console.log(`stored ${N} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const randomBefore = () => 51 + Math.floor(Math.random() * (N - 51));
  for (const [label, sql] of [
    ["random page", `conversation_id = '${conversationId}' AND seq < ${randomBefore()} ORDER BY seq DESC`],
    ["newest page", `conversation_id = '${conversationId}' AND seq < ${Number.MAX_SAFE_INTEGER} ORDER BY seq DESC`],
    ["after page", `conversation_id = '${conversationId}' AND seq > ${randomBefore()} ORDER BY seq ASC`],
  ] as const) {
    const plan = await pool.query(`EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM messages WHERE ${sql} LIMIT 51`);
    console.log(`EXPLAIN ${label}:\n  ${plan.rows.map((r: Record<string, string>) => r["QUERY PLAN"]).join("\n  ")}`);
  }

  const tokenHash = (await import("node:crypto")).createHash("sha256").update(a.sessionToken).digest("hex");
  await time("session lookup (prisma findUnique + user)", () =>
    prisma.session.findUnique({ where: { tokenHash }, include: { user: { select: { id: true, username: true, displayName: true, statusText: true, avatarId: true } } } }),
  );
  await time("membership (prisma findUnique + conversation)", () =>
    prisma.conversationMember.findUnique({
      where: { conversationId_userId: { conversationId, userId: a.user.id } },
      select: { readSeq: true, conversation: { select: { lastSeq: true } } },
    }),
  );
  const sqlPool = createSqlRows(prisma, pool);
  const sqlPrisma = createSqlRows(prisma);
  await time("session + membership, one statement, prisma raw", () => resolveMember(sqlPrisma, a.sessionToken, conversationId));
  await time("session + membership, one statement, pg pool prepared", () => resolveMember(sqlPool, a.sessionToken, conversationId));
  const plan = await pool.query(
    `EXPLAIN (ANALYZE, BUFFERS) ${(await import("../src/conversations/resolve-member")).SESSION_AND_MEMBERSHIP.text.replace("$1", `'${tokenHash}'`).replace("$2", `'${conversationId}'`)}`,
  );
  console.log(`EXPLAIN session + membership:\n  ${plan.rows.map((r: Record<string, string>) => r["QUERY PLAN"]).join("\n  ")}`);
  const viaPrisma = new PrismaMessageStore(prisma);
  await time("store.before random, prisma $queryRawUnsafe", () => viaPrisma.before(conversationId, randomBefore(), 51, a.user.id));
  await time("store.before random, pg pool prepared", () => withPool.before(conversationId, randomBefore(), 51, a.user.id));
  await time("store.before newest, pg pool prepared", () => withPool.before(conversationId, undefined, 51, a.user.id));
  await time("session+membership then page, sequential (pool)", async () => {
    await resolveMember(sqlPool, a.sessionToken, conversationId);
    await withPool.before(conversationId, randomBefore(), 51, a.user.id);
  });
  await time("session+membership and page, concurrent (pool)", () =>
    Promise.all([resolveMember(sqlPool, a.sessionToken, conversationId), withPool.before(conversationId, randomBefore(), 51, a.user.id)]),
  );

  const input = (beforeSeq?: number) =>
    encodeURIComponent(JSON.stringify({ conversationId, ...(beforeSeq ? { beforeSeq } : {}), limit: 50 }));
  const headers = { authorization: `Bearer ${a.sessionToken}` };
  await time("history random, in-process fetchHandler", async () => {
    const res = await gw.gateway.fetchHandler(new Request(`${gw.trpcUrl}/conversations.history?input=${input(randomBefore())}`, { headers }));
    await res.text();
  });
  await time("history newest, in-process fetchHandler", async () => {
    const res = await gw.gateway.fetchHandler(new Request(`${gw.trpcUrl}/conversations.history?input=${input()}`, { headers }));
    await res.text();
  });
  await time("history random, HTTP raw fetch", async () => {
    const res = await fetch(`${gw.trpcUrl}/conversations.history?input=${input(randomBefore())}`, { headers });
    await res.text();
  });
  await time("history random, HTTP typed client", () => gwA.conversations.history.query({ conversationId, beforeSeq: randomBefore(), limit: 50 }));
  await time("history newest, HTTP typed client", () => gwA.conversations.history.query({ conversationId, limit: 50 }));
} finally {
  await gw.close();
  await infra.close();
  await closeDb();
  await pgServer.stop();
  rmSync(dir, { recursive: true, force: true });
}
