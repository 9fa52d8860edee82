/**
 * A whole embedded system for group tests: one real PostgreSQL database, real core nodes on
 * 127.0.0.1 port 0 and the standalone gateway (tRPC over HTTP, GroupEvents over the bus), all on
 * one in-memory hub. Started in beforeAll, stopped in afterAll (registered here). Users for
 * size tests are made in bulk through SQL, each a contact of an owner registered through the
 * gateway.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createPgPool, createPrisma, PrismaContactPresenceStore, PrismaMessageStore, PrismaPushStore, type PrismaClient } from "@dim/db";
import { createTestDatabase, type TestDatabase } from "@dim/db/testing";
import { createMemoryInfra, MemoryHub, type MemoryInfra } from "@dim/infra";
import { startStandaloneGateway, type AppRouter, type StandaloneGateway } from "@dim/api";
import { CoreNode } from "../../src/core-node";
import type { CoreNodeConfig } from "../../src/config";
import type { PushSenderConfig } from "../../src/push/push-notifier";
import { TEST_SECRET, testConfig, useSessionsIn, type NodeAddress } from "./cluster";

export type GatewayClient = ReturnType<typeof gatewayClient>;

function gatewayClient(trpcUrl: string, token: string) {
  return createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: trpcUrl, headers: () => ({ authorization: `Bearer ${token}` }) })] });
}

export interface GroupSystem {
  readonly prisma: PrismaClient;
  readonly nodes: Array<NodeAddress & { node: CoreNode }>;
  /** Registers a user through the gateway; its id and a tRPC client with its session. */
  register(name?: string): Promise<{ id: string; username: string; client: GatewayClient }>;
  /** Logs a registered user in again: a second session (another device). */
  login(username: string): Promise<GatewayClient>;
  /** `n` users made in SQL, each a contact of `ownerId` (with their direct conversation). */
  contactsOf(ownerId: string, n: number): Promise<string[]>;
}

/** `push`: every node sends Web Push with this configuration, and the gateway accepts subscriptions for it. */
export function useGroupSystem(opts: { nodes?: number; config?: Partial<CoreNodeConfig>; push?: PushSenderConfig } = {}): GroupSystem {
  let db: TestDatabase | undefined;
  let prisma: PrismaClient | undefined;
  let pool: ReturnType<typeof createPgPool> | undefined;
  let gateway: StandaloneGateway | undefined;
  const infras: MemoryInfra[] = [];
  const nodes: Array<NodeAddress & { node: CoreNode }> = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrisma(db.url, { poolSize: 4 });
    useSessionsIn(prisma);
    pool = createPgPool(db.url, { poolSize: 6, applicationName: "dim-test-groups" });
    const hub = new MemoryHub();
    for (let i = 0; i < (opts.nodes ?? 3); i++) {
      const infra = createMemoryInfra(hub);
      infras.push(infra);
      const node = new CoreNode({
        config: testConfig({ nodeId: `node-${i}-${randomUUID().slice(0, 6)}`, ...opts.config }),
        store: new PrismaMessageStore(prisma, { pool }),
        bus: infra.bus,
        registry: infra.registry,
        presence: infra.presence,
        contactPresence: new PrismaContactPresenceStore(prisma),
        ...(opts.push ? { push: { store: new PrismaPushStore(prisma), config: opts.push } } : {}),
      });
      const started = await node.start();
      nodes.push({ node, nodeId: started.nodeId, wsUrl: started.wsUrl });
    }
    const infra = createMemoryInfra(hub);
    infras.push(infra);
    gateway = await startStandaloneGateway({
      port: 0,
      prisma,
      pool,
      store: new PrismaMessageStore(prisma, { pool }),
      registry: infra.registry,
      presence: infra.presence,
      bus: infra.bus,
      config: {
        tokenSecret: TEST_SECRET,
        groupWritesMaxPerUser: 10_000,
        ...(opts.push ? { push: { publicKey: opts.push.vapid.publicKey, allowLoopback: opts.push.allowLoopback } } : {}),
      },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all(nodes.map((n) => n.node.stop()));
    await Promise.all(infras.map((i) => i.close()));
    await pool?.end();
    await prisma?.$disconnect();
    await db?.drop();
  });

  return {
    get prisma() {
      if (!prisma) throw new Error("group system is not started (use it inside a test)");
      return prisma;
    },
    nodes,
    async register(name = `u${randomUUID().slice(0, 8)}`) {
      const anon = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: gateway!.trpcUrl })] });
      const session = await anon.auth.register.mutate({ username: name, password: "password-1234" });
      return { id: session.user.id, username: name, client: gatewayClient(gateway!.trpcUrl, session.sessionToken) };
    },
    async login(username) {
      const anon = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: gateway!.trpcUrl })] });
      const session = await anon.auth.login.mutate({ username, password: "password-1234" });
      return gatewayClient(gateway!.trpcUrl, session.sessionToken);
    },
    async contactsOf(ownerId, n) {
      const ids = Array.from({ length: n }, () => randomUUID());
      const tag = `c${randomUUID().slice(0, 8)}`;
      await prisma!.$executeRaw`
        INSERT INTO users (id, username, password_hash, display_name)
        SELECT id, ${tag} || '_' || ord, 'not-a-hash', 'User ' || ord FROM unnest(${ids}::uuid[]) WITH ORDINALITY AS t(id, ord)`;
      await prisma!.$executeRaw`
        WITH pairs AS (SELECT id AS peer, gen_random_uuid() AS conv FROM unnest(${ids}::uuid[]) AS id),
        convs AS (
          INSERT INTO conversations (id, kind, direct_key)
          SELECT conv, 'direct', LEAST(${ownerId}::uuid, peer)::text || ':' || GREATEST(${ownerId}::uuid, peer)::text FROM pairs
        ),
        members AS (
          INSERT INTO conversation_members (conversation_id, user_id)
          SELECT conv, ${ownerId}::uuid FROM pairs UNION ALL SELECT conv, peer FROM pairs
        )
        INSERT INTO contacts (owner_id, peer_id, conversation_id)
        SELECT ${ownerId}::uuid, peer, conv FROM pairs UNION ALL SELECT peer, ${ownerId}::uuid, conv FROM pairs`;
      return ids;
    },
  };
}
