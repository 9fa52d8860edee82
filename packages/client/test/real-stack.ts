/**
 * The real system for DimClient integration tests: the standalone gateway (tRPC over HTTP) and
 * two real CoreNodes on 127.0.0.1 port 0, sharing an in-memory infra hub and a real PostgreSQL
 * database. `useRealStack()` starts it around a test file; the helpers register people, make
 * them contacts and build clients for them.
 *
 * @dim/core-node is imported through the workspace link without being declared (core-node
 * already dev-depends on @dim/client; declaring it back would make a cycle for turbo).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, onTestFinished } from "vitest";
import WebSocket from "ws";
import { until } from "../src/testing";
import { createPrisma, PrismaContactPresenceStore, PrismaMessageStore, type PrismaClient } from "@dim/db";
import { createTestDatabase, type TestDatabase } from "@dim/db/testing";
import { createMemoryInfra, DiskBlobStore, MemoryHub, type MemoryInfra } from "@dim/infra";
import { startStandaloneGateway, type GatewayConfigInput, type StandaloneGateway } from "@dim/api";
import { CoreNode, loadCoreNodeConfig } from "@dim/core-node";
import {
  createFileClient,
  createGatewayClient,
  DimClient,
  type DimClientOptions,
  gatewayPort,
  MemoryClientStore,
  type ClientStore,
  type GatewayClient,
  type MessageState,
  type WebSocketConstructor,
} from "../src";

const SECRET = "client-integration-secret-0123456789";
const PASSWORD = "correct horse battery";

interface RunningNode {
  node: CoreNode;
  nodeId: string;
  infra: MemoryInfra;
}

let db: TestDatabase;
let prisma: PrismaClient;
let hub: MemoryHub;
let gatewayInfra: MemoryInfra;
let gateway: StandaloneGateway;
let blobDir: string | null = null;
export const nodes: RunningNode[] = [];

export async function startNode(nodeId: string): Promise<RunningNode> {
  const infra = createMemoryInfra(hub);
  const { databaseUrl: _db, tokenSecret: _s, ...config } = loadCoreNodeConfig({
    DIM_NODE_ID: nodeId,
    DIM_NODE_HOST: "127.0.0.1",
    DIM_NODE_PORT: "0",
  });
  const node = new CoreNode({
    config: { ...config, tokenSecret: SECRET },
    store: new PrismaMessageStore(prisma),
    bus: infra.bus,
    registry: infra.registry,
    presence: infra.presence,
    contactPresence: new PrismaContactPresenceStore(prisma),
  });
  const running = { node, nodeId, infra };
  nodes.push(running);
  await node.start();
  return running;
}

/** Starts the stack before the file's tests and stops it after them. */
export function useRealStack(options: { gateway?: Omit<GatewayConfigInput, "tokenSecret"> } = {}): void {
  beforeAll(async () => {
    // Attachments on the embedded default store: content-addressed files on disk.
    blobDir = mkdtempSync(join(tmpdir(), "dim-client-blobs-"));
    db = await createTestDatabase();
    prisma = createPrisma(db.url);
    hub = new MemoryHub();
    await startNode("node-one");
    await startNode("node-two");
    gatewayInfra = createMemoryInfra(hub);
    gateway = await startStandaloneGateway({
      port: 0,
      prisma,
      store: new PrismaMessageStore(prisma),
      registry: gatewayInfra.registry,
      presence: gatewayInfra.presence,
      bus: gatewayInfra.bus,
      blobs: new DiskBlobStore(blobDir),
      config: { tokenSecret: SECRET, assignStrategy: "round-robin", uploadSweepMs: 0, ...options.gateway },
    });
  });

  afterAll(async () => {
    await gateway?.close();
    for (const n of nodes) {
      await n.node.stop();
      await n.infra.close();
    }
    await gatewayInfra?.close();
    await prisma?.$disconnect();
    await db?.drop();
    if (blobDir) rmSync(blobDir, { recursive: true, force: true });
  });
}

// ───────────────────────────── helpers ─────────────────────────────

export interface Person {
  id: string;
  username: string;
  api: GatewayClient;
  token: string;
}

let userCounter = 0;
export async function register(name: string): Promise<Person> {
  const username = `${name}_${process.pid}_${++userCounter}`;
  const anon = createGatewayClient({ baseUrl: gateway.url });
  const session = await anon.auth.register.mutate({ username, password: PASSWORD });
  const token = session.sessionToken;
  return { id: session.user.id, username, token, api: createGatewayClient({ baseUrl: gateway.url, sessionToken: token }) };
}

export async function befriend(a: Person, b: Person): Promise<string> {
  const request = await a.api.contacts.request.mutate({ username: b.username });
  const { incoming } = await b.api.contacts.requests.query();
  expect(incoming.map((r) => r.id)).toContain(request.id);
  const { contact } = await b.api.contacts.accept.mutate({ requestId: request.id });
  return contact.conversationId;
}

export function clientFor(person: Person, store: ClientStore = new MemoryClientStore(), more: Partial<DimClientOptions> = {}): DimClient {
  const client = new DimClient({
    gateway: gatewayPort(person.api),
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    store,
    backoff: { baseMs: 50, capMs: 500 },
    // Node has no XMLHttpRequest: uploads stream through fetch.
    files: createFileClient({ baseUrl: gateway.url, sessionToken: person.token }),
    ...more,
  });
  onTestFinished(() => client.stop());
  return client;
}


/** Waits until `check` holds, re-checking whenever the client reports a change. */
export async function eventually(client: DimClient, check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  if (check()) return;
  await until(client, "conversation", () => check(), what, timeoutMs);
}

export function stateOf(client: DimClient, conversationId: string, clientMsgId: string): MessageState | null | undefined {
  return client.conversationMessages(conversationId).find((m) => m.clientMsgId === clientMsgId)?.state;
}

/** The gateway's origin (for raw HTTP checks). */
export function gatewayUrl(): string {
  return gateway.url;
}

export function nodeOf(client: DimClient): string {
  const s = client.connectionState;
  if (s.status !== "connected") throw new Error(`not connected: ${s.status}`);
  return s.nodeId;
}

/** The stack's database (for tests that seed many rows directly). */
export function stackPrisma(): PrismaClient {
  return prisma;
}
