/**
 * Real core nodes for tests: each on 127.0.0.1 port 0, sharing one in-memory hub (bus, registry,
 * presence) and one real PostgreSQL database. Teardown is registered where things are created.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, onTestFinished } from "vitest";
import { createPrisma, PrismaContactPresenceStore, PrismaMessageStore, type ContactPresenceStore, type MessageStore, type PrismaClient } from "@dim/db";
import { createTestDatabase, type TestDatabase } from "@dim/db/testing";
import { createMemoryInfra, MemoryHub, type Bus, type MemoryInfra, type Presence, type Registry } from "@dim/infra";
import type { MetricsConfig } from "@dim/shared/metrics";
import type { NodeMetrics } from "../../src/node-metrics";
import { issueSocketToken } from "@dim/shared/node";
import type { WelcomeFrame } from "@dim/shared";
import { CoreNode, type CoreNodeDeps } from "../../src/core-node";
import { loadCoreNodeConfig, type CoreNodeConfig } from "../../src/config";
import { TestClient } from "./test-client";

export const TEST_SECRET = "core-node-test-secret-0123456789";
export const ALLOWED_ORIGIN = "http://localhost:3000";

/** Defaults from the real schema, with a test secret and loopback port 0. */
export function testConfig(overrides: Partial<CoreNodeConfig> = {}): CoreNodeConfig {
  const { databaseUrl: _db, tokenSecret: _secret, eventWindows: _windows, ...base } = loadCoreNodeConfig({
    DIM_NODE_HOST: "127.0.0.1",
    DIM_NODE_PORT: "0",
    DIM_ALLOWED_ORIGINS: ALLOWED_ORIGIN,
  });
  return { ...base, tokenSecret: TEST_SECRET, ...overrides };
}

export interface TestDb {
  readonly url: string;
  readonly prisma: PrismaClient;
  readonly store: MessageStore;
  readonly contactPresence: ContactPresenceStore;
}

/** One fresh migrated database for the calling file (tests make their own users in it). */
export function useTestDatabase(): TestDb {
  let db: TestDatabase | undefined;
  let prisma: PrismaClient | undefined;
  let store: MessageStore | undefined;
  let contactPresence: ContactPresenceStore | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrisma(db.url, { poolSize: 4 });
    store = new PrismaMessageStore(prisma);
    contactPresence = new PrismaContactPresenceStore(prisma);
    useSessionsIn(prisma);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });
  return {
    get url() {
      return need(db).url;
    },
    get prisma() {
      return need(prisma);
    },
    get store() {
      return need(store);
    },
    get contactPresence() {
      return need(contactPresence);
    },
  };
}

/** What a client needs to reach a node. */
export type NodeAddress = Pick<TestNode, "nodeId" | "wsUrl">;

export interface TestNode {
  node: CoreNode;
  nodeId: string;
  port: number;
  wsUrl: string;
  infra: MemoryInfra;
  /** Its `GET /metrics`, when started with a metricsListener. */
  metricsUrl?: string;
  httpUrl(path: string): string;
}

export async function startNode(
  db: TestDb,
  hub: MemoryHub,
  opts: {
    nodeId?: string;
    config?: Partial<CoreNodeConfig>;
    registry?: (r: Registry) => Registry;
    presence?: (p: Presence) => Presence;
    store?: (s: MessageStore) => MessageStore;
    bus?: (b: Bus) => Bus;
    metrics?: NodeMetrics;
    metricsListener?: MetricsConfig;
    messageRateSampleMs?: number;
    onDrainRequested?: CoreNodeDeps["onDrainRequested"];
  } = {},
): Promise<TestNode> {
  const infra = createMemoryInfra(hub);
  const node = new CoreNode({
    config: testConfig({ nodeId: opts.nodeId ?? `node-${randomUUID().slice(0, 8)}`, ...opts.config }),
    store: opts.store ? opts.store(db.store) : db.store,
    bus: opts.bus ? opts.bus(infra.bus) : infra.bus,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.metricsListener ? { metricsListener: opts.metricsListener } : {}),
    ...(opts.messageRateSampleMs ? { messageRateSampleMs: opts.messageRateSampleMs } : {}),
    ...(opts.onDrainRequested ? { onDrainRequested: opts.onDrainRequested } : {}),
    registry: opts.registry ? opts.registry(infra.registry) : infra.registry,
    presence: opts.presence ? opts.presence(infra.presence) : infra.presence,
    contactPresence: db.contactPresence,
  });
  onTestFinished(async () => {
    await node.stop();
    await infra.close();
  });
  const started = await node.start();
  return { node, infra, ...started, httpUrl: (path) => `http://127.0.0.1:${started.port}${path}` };
}

/** Two nodes on one hub: the smallest cluster where cross-node routing happens. */
export async function startCluster(db: TestDb, config: Partial<CoreNodeConfig> = {}) {
  const hub = new MemoryHub();
  const a = await startNode(db, hub, { nodeId: `node-a-${randomUUID().slice(0, 6)}`, config });
  const b = await startNode(db, hub, { nodeId: `node-b-${randomUUID().slice(0, 6)}`, config });
  return { hub, a, b };
}

/** userId → the live gateway session its socket tokens are issued to (sockets check it at `auth`). */
const sessions = new Map<string, string>();
/** The database connectAs makes sessions in for users it has none for (set by the file's setup). */
let sessionDb: PrismaClient | undefined;

/** Lets connectAs give a session to users made elsewhere (SQL, the gateway). Call in beforeAll. */
export function useSessionsIn(prisma: PrismaClient): void {
  sessionDb = prisma;
}

/** A live session for the user (an existing users row), made once. */
export async function ensureSession(userId: string): Promise<string> {
  const known = sessions.get(userId);
  if (known !== undefined) return known;
  if (!sessionDb) throw new Error("no database for sessions: call useSessionsIn(prisma) in beforeAll");
  const sessionId = randomUUID();
  await sessionDb.session.create({ data: { id: sessionId, userId, tokenHash: randomTokenHash(), expiresAt: new Date(Date.now() + 3_600_000) } });
  sessions.set(userId, sessionId);
  return sessionId;
}

function randomTokenHash(): string {
  return `${randomUUID()}${randomUUID()}`.replace(/-/g, "");
}

/** A user with one live session (what a login makes), so tokenFor(user) passes the node's session check. */
export async function createUser(prisma: PrismaClient, name = `u${randomUUID().slice(0, 8)}`): Promise<string> {
  const id = randomUUID();
  const sessionId = randomUUID();
  await prisma.user.create({
    data: {
      id,
      username: name.replace(/-/g, "_"),
      passwordHash: "x",
      displayName: name,
      sessions: { create: { id: sessionId, tokenHash: randomTokenHash(), expiresAt: new Date(Date.now() + 3_600_000) } },
    },
  });
  sessions.set(id, sessionId);
  return id;
}

/** The session createUser made for this user. */
export function sessionOf(userId: string): string {
  const sessionId = sessions.get(userId);
  if (sessionId === undefined) throw new Error(`no session for ${userId}: create the user with createUser`);
  return sessionId;
}

export async function createConversation(prisma: PrismaClient, memberIds: string[]): Promise<string> {
  const id = randomUUID();
  const direct = memberIds.length === 2;
  await prisma.conversation.create({
    data: {
      id,
      kind: direct ? "direct" : "group",
      directKey: direct ? [...memberIds].sort().join(":") : null,
      title: direct ? null : "group",
      members: { create: memberIds.map((userId) => ({ userId })) },
    },
  });
  // Two users' direct conversation is written to only while they are contacts (both rows).
  if (direct) {
    const [a, b] = memberIds as [string, string];
    await prisma.contact.createMany({ data: [{ ownerId: a, peerId: b, conversationId: id }, { ownerId: b, peerId: a, conversationId: id }], skipDuplicates: true });
  }
  return id;
}

export function tokenFor(userId: string, nodeId: string, ttlMs = 60_000): string {
  return issueSocketToken({ userId, sessionId: sessionOf(userId), nodeId, ttlMs }, TEST_SECRET).token;
}

/** Opens a raw socket to the node (closed at the end of the test). */
export async function openSocket(node: NodeAddress, opts: { origin?: string } = {}): Promise<TestClient> {
  const client = await TestClient.connect(node.wsUrl, opts);
  onTestFinished(() => client.close());
  return client;
}

/** Opens a socket and authenticates as the user; resolves with the welcome frame. */
export async function connectAs(node: NodeAddress, userId: string): Promise<{ client: TestClient; welcome: WelcomeFrame }> {
  await ensureSession(userId);
  const client = await openSocket(node);
  client.send({ type: "auth", v: 1, token: tokenFor(userId, node.nodeId) });
  const welcome = await client.next("welcome");
  return { client, welcome };
}

export function clientMsgId(): string {
  return `c-${randomUUID()}`;
}

function need<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("test database is not ready (use it inside a test)");
  return value;
}
