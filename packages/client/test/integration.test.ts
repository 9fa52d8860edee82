/**
 * DimClient against the real system: the standalone gateway (tRPC over HTTP) and two real
 * CoreNodes on 127.0.0.1 port 0, sharing an in-memory infra hub and a real PostgreSQL database.
 * Nothing here is a double: two people register, become contacts and chat.
 *
 * @dim/core-node is imported through the workspace link without being declared (core-node
 * already dev-depends on @dim/client; declaring it back would make a cycle for turbo).
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import WebSocket from "ws";
import { until } from "../src/testing";
import { createPrisma, PrismaMessageStore, type PrismaClient } from "@dim/db";
import { createTestDatabase, type TestDatabase } from "@dim/db/testing";
import { createMemoryInfra, MemoryHub, type MemoryInfra } from "@dim/infra";
import { startStandaloneGateway, type StandaloneGateway } from "@dim/api";
import { CoreNode, loadCoreNodeConfig } from "@dim/core-node";
import {
  createGatewayClient,
  DimClient,
  gatewayPort,
  MemoryClientStore,
  type ChatMessage,
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
const nodes: RunningNode[] = [];

async function startNode(nodeId: string): Promise<RunningNode> {
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
  });
  const running = { node, nodeId, infra };
  nodes.push(running);
  await node.start();
  return running;
}

beforeAll(async () => {
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
    config: { tokenSecret: SECRET, assignStrategy: "round-robin" },
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
});

// ───────────────────────────── helpers ─────────────────────────────

interface Person {
  id: string;
  username: string;
  api: GatewayClient;
  token: string;
}

let userCounter = 0;
async function register(name: string): Promise<Person> {
  const username = `${name}_${process.pid}_${++userCounter}`;
  const anon = createGatewayClient({ baseUrl: gateway.url });
  const session = await anon.auth.register.mutate({ username, password: PASSWORD });
  const token = session.sessionToken;
  return { id: session.user.id, username, token, api: createGatewayClient({ baseUrl: gateway.url, sessionToken: token }) };
}

async function befriend(a: Person, b: Person): Promise<string> {
  const request = await a.api.contacts.request.mutate({ username: b.username });
  const { incoming } = await b.api.contacts.requests.query();
  expect(incoming.map((r) => r.id)).toContain(request.id);
  const { contact } = await b.api.contacts.accept.mutate({ requestId: request.id });
  return contact.conversationId;
}

function clientFor(person: Person, store: ClientStore = new MemoryClientStore()): DimClient {
  const client = new DimClient({
    gateway: gatewayPort(person.api),
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    store,
    backoff: { baseMs: 50, capMs: 500 },
  });
  onTestFinished(() => client.stop());
  return client;
}


/** Waits until `check` holds, re-checking whenever the client reports a change. */
async function eventually(client: DimClient, check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  if (check()) return;
  await until(client, "conversation", () => check(), what, timeoutMs);
}

function stateOf(client: DimClient, conversationId: string, clientMsgId: string): MessageState | null | undefined {
  return client.conversationMessages(conversationId).find((m) => m.clientMsgId === clientMsgId)?.state;
}

function nodeOf(client: DimClient): string {
  const s = client.connectionState;
  if (s.status !== "connected") throw new Error(`not connected: ${s.status}`);
  return s.nodeId;
}

// ───────────────────────────── tests ─────────────────────────────

describe("DimClient with a real gateway and two real core nodes", () => {
  it("two people on two nodes register, become contacts, chat, and see sent → delivered → read", async () => {
    const alice = await register("alice");
    const bob = await register("bob");
    const conversationId = await befriend(alice, bob);

    const a = clientFor(alice);
    const b = clientFor(bob);
    await a.connect();
    await b.connect();
    expect(a.userId).toBe(alice.id);
    expect(b.userId).toBe(bob.id);
    // Round-robin over two live nodes: the message must cross the bus.
    expect(nodeOf(a)).not.toBe(nodeOf(b));

    const states: MessageState[] = [];
    a.on("messageState", (c) => states.push(c.state));
    const received = until(b, "message", (m) => m.conversationId === conversationId, "bob to receive the message");
    const sent = a.send(conversationId, "hello bob");

    const got: ChatMessage = await received;
    expect(got).toMatchObject({ body: "hello bob", senderId: alice.id, own: false, seq: 1, clientMsgId: sent.clientMsgId });
    await eventually(a, () => stateOf(a, conversationId, sent.clientMsgId) === "delivered", "delivered on alice's side");

    b.markRead(conversationId, got.seq!);
    await eventually(a, () => stateOf(a, conversationId, sent.clientMsgId) === "read", "read on alice's side");
    expect(states).toEqual(["sending", "sent", "delivered", "read"]);

    // Bob answers; each side shows each message once, in seq order.
    const reply = until(a, "message", (m) => m.body === "hi alice", "alice to receive the reply");
    b.send(conversationId, "hi alice");
    await reply;
    await eventually(b, () => b.conversationMessages(conversationId).every((m) => m.state !== "sending"), "bob's reply sent");
    for (const client of [a, b]) {
      expect(client.conversationMessages(conversationId).map((m) => [m.seq, m.body])).toEqual([
        [1, "hello bob"],
        [2, "hi alice"],
      ]);
    }

    // The gateway agrees with what the clients show.
    const [summary] = await alice.api.conversations.list.query();
    expect(summary).toMatchObject({ id: conversationId, lastSeq: 2, peersReadSeq: 1 });
  });

  it("an offline recipient gets everything on connect, in order, once each", async () => {
    const alice = await register("carol");
    const bob = await register("dave");
    const conversationId = await befriend(alice, bob);
    const a = clientFor(alice);
    await a.connect();
    const bodies = ["one", "two", "three", "four", "five"];
    for (const body of bodies) a.send(conversationId, body);
    await eventually(a, () => a.outbox.length === 0, "all five stored");

    const b = clientFor(bob);
    const synced = until(b, "synced", (s) => s.conversationId === conversationId && s.lastSeq === 5, "bob's sync");
    await b.connect();
    await synced;
    expect(b.conversationMessages(conversationId).map((m) => [m.seq, m.body])).toEqual(bodies.map((body, i) => [i + 1, body]));
    // Bob's contiguous ACK reaches alice as "delivered" for all five.
    await eventually(a, () => a.conversationMessages(conversationId).every((m) => m.state === "delivered"), "all delivered");
  });

  it("when its node stops, a client reconnects through the gateway to the other node and keeps chatting", async () => {
    const alice = await register("erin");
    const bob = await register("frank");
    const conversationId = await befriend(alice, bob);
    const a = clientFor(alice);
    const b = clientFor(bob);
    await a.connect();
    await b.connect();

    // A third node to take the place of the one we stop, so the cluster keeps two.
    await startNode("node-three");
    const doomed = nodes.find((n) => n.nodeId === nodeOf(b))!;
    const reconnected = until(b, "state", (s) => s.status === "connected", "bob to reconnect");
    await doomed.node.stop();
    await reconnected;
    expect(nodeOf(b)).not.toBe(doomed.nodeId);
    if (nodeOf(a) === doomed.nodeId) await until(a, "state", (s) => s.status === "connected", "alice to reconnect");

    const received = until(b, "message", (m) => m.body === "still there?", "bob to receive after reconnect");
    const m = a.send(conversationId, "still there?");
    await received;
    await eventually(a, () => stateOf(a, conversationId, m.clientMsgId) === "delivered", "delivered after reconnect");
  });

  it("a re-send with the same clientMsgId is stored and shown once", async () => {
    const alice = await register("gina");
    const bob = await register("hank");
    const conversationId = await befriend(alice, bob);
    const store = new MemoryClientStore();
    const a1 = clientFor(alice, store);
    await a1.connect();
    const first = a1.send(conversationId, "exactly once");
    await eventually(a1, () => a1.outbox.length === 0, "stored");
    await a1.stop();

    // Same clientMsgId again from a fresh client (as after a crash before `sent` was seen).
    const a2 = clientFor(alice);
    await a2.connect();
    a2.send(conversationId, "exactly once", { clientMsgId: first.clientMsgId });
    await eventually(a2, () => a2.outbox.length === 0 && a2.conversationMessages(conversationId).length === 1, "re-send answered");
    expect(a2.conversationMessages(conversationId)).toMatchObject([{ seq: 1, clientMsgId: first.clientMsgId, state: expect.any(String) }]);

    const b = clientFor(bob);
    await b.connect();
    await eventually(b, () => b.conversationMessages(conversationId).length >= 1, "bob holds it");
    expect(b.conversationMessages(conversationId).map((m) => m.body)).toEqual(["exactly once"]);
  });
});
