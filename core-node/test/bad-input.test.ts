/**
 * Bad input at the socket edge: every case gets a typed error frame or a named close code, and
 * nothing is stored.
 */
import { describe, expect, it } from "vitest";
import { MemoryHub } from "@dim/infra";
import { CloseCode, Limits } from "@dim/shared";
import { issueSocketToken } from "@dim/shared/node";
import { TestClient } from "./helpers/test-client";
import {
  clientMsgId,
  connectAs,
  createConversation,
  createUser,
  openSocket,
  sessionOf,
  startCluster,
  startNode,
  tokenFor,
  useTestDatabase,
} from "./helpers/cluster";

const db = useTestDatabase();

async function setup() {
  const cluster = await startCluster(db);
  const alice = await createUser(db.prisma);
  const bob = await createUser(db.prisma);
  const conv = await createConversation(db.prisma, [alice, bob]);
  const { client } = await connectAs(cluster.a, alice);
  return { ...cluster, alice, bob, conv, client };
}

const messageCount = (conversationId: string) => db.prisma.message.count({ where: { conversationId } });

describe("malformed frames on an authenticated socket", () => {
  it("not JSON, unknown type, extra keys, bad bounds, binary: BAD_REQUEST each, nothing stored", async () => {
    const { client, conv, alice } = await setup();
    const id = clientMsgId();

    client.sendRaw("{not json");
    expect(await client.next("error")).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("JSON") });

    client.send({ type: "teleport", conversationId: conv });
    expect(await client.next("error")).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("unknown frame type") });

    // forged sender: the sender is the token's user, never a field of the frame
    client.send({ type: "send", conversationId: conv, clientMsgId: id, kind: "text", body: "x", senderId: alice });
    expect(await client.next("error")).toMatchObject({ code: "BAD_REQUEST", ref: id });

    client.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "x".repeat(Limits.maxBodyChars + 1) });
    expect(await client.next("error")).toMatchObject({ code: "BAD_REQUEST" });

    client.send({ type: "send", conversationId: "not-a-uuid", clientMsgId: clientMsgId(), kind: "text", body: "x" });
    expect(await client.next("error")).toMatchObject({ code: "BAD_REQUEST" });

    client.sendRaw(Buffer.from(JSON.stringify({ type: "ping" })), { binary: true });
    expect(await client.next("error")).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("binary") });

    client.send({ type: "auth", v: 1, token: "again" });
    expect(await client.next("error")).toMatchObject({ code: "ALREADY_AUTHENTICATED", ref: "auth" });

    expect(await messageCount(conv)).toBe(0);
    // still usable
    client.send({ type: "send", conversationId: conv, clientMsgId: id, kind: "text", body: "fine" });
    expect(await client.next("sent")).toMatchObject({ clientMsgId: id, seq: 1 });
  });

  it("too many bad frames close the socket with ProtocolViolation", async () => {
    const { client } = await setup();
    for (let i = 0; i < 20; i++) client.sendRaw("nope");
    expect((await client.waitClosed()).code).toBe(CloseCode.ProtocolViolation);
    expect(client.all("error").length).toBeGreaterThanOrEqual(1);
  });

  it("an oversize frame closes the socket with 1009", async () => {
    const { client, conv } = await setup();
    client.sendRaw(JSON.stringify({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "x".repeat(Limits.maxFrameBytes) }));
    expect((await client.waitClosed()).code).toBe(1009);
    expect(await messageCount(conv)).toBe(0);
  });

  it("a non-member's send is FORBIDDEN and stores nothing; so are its ack, read and sync", async () => {
    const { a, conv } = await setup();
    const mallory = await createUser(db.prisma);
    const { client } = await connectAs(a, mallory);
    const id = clientMsgId();
    client.send({ type: "send", conversationId: conv, clientMsgId: id, kind: "text", body: "let me in" });
    expect(await client.next("error")).toMatchObject({ code: "FORBIDDEN", ref: id });
    expect(await messageCount(conv)).toBe(0);
    for (const type of ["ack", "read"] as const) {
      client.send({ type, conversationId: conv, seq: 1 });
      expect(await client.next("error")).toMatchObject({ code: "FORBIDDEN", ref: type });
    }
    client.send({ type: "sync", conversationId: conv, afterSeq: 0 });
    expect(await client.next("error")).toMatchObject({ code: "FORBIDDEN", ref: "sync" });
    expect(client.all("sync.batch")).toHaveLength(0);
  });

  it("over the rate limit: frames wait their turn (in order, none dropped, no error)", async () => {
    const { hub, alice, conv } = await setup();
    const node = await startNode(db, hub, { config: { rateLimitPerSec: 10, rateLimitBurst: 8 } });
    const { client } = await connectAs(node, alice); // auth took one token
    const ids = Array.from({ length: 6 }, () => clientMsgId());
    // 4 pings and 3 sends use the burst; the other sends and the last ping are over the rate.
    for (let i = 0; i < 4; i++) client.send({ type: "ping", t: i });
    for (const id of ids) client.send({ type: "send", conversationId: conv, clientMsgId: id, kind: "text", body: id });
    client.send({ type: "ping", t: 99 });
    const started = performance.now();
    for (const id of ids) expect(await client.next("sent")).toMatchObject({ clientMsgId: id });
    expect(await client.next("pong", (p) => p.t === 99)).toMatchObject({ t: 99 });
    // 4 frames over the rate at 10/s: about 400 ms of shaping.
    expect(performance.now() - started).toBeGreaterThan(250);
    expect(client.all("error")).toEqual([]);
    const stored = await db.prisma.message.findMany({ where: { conversationId: conv }, orderBy: { seq: "asc" } });
    expect(stored.map((m) => m.clientMsgId)).toEqual(ids);
  });

  it("more than a burst's worth of frames waiting: a RateLimited close", async () => {
    const { hub } = await setup();
    const node = await startNode(db, hub, { config: { rateLimitPerSec: 0.01, rateLimitBurst: 5 } });
    const carol = await createUser(db.prisma);
    const { client } = await connectAs(node, carol); // auth took one token
    for (let i = 0; i < 4; i++) client.send({ type: "ping", t: i });
    for (let i = 0; i < 4; i++) await client.next("pong");
    for (let i = 0; i < 20; i++) client.send({ type: "ping" });
    expect((await client.waitClosed()).code).toBe(CloseCode.RateLimited);
    expect(client.all("error")).toEqual([]);
  });
});

describe("authentication", () => {
  it("frames before auth get AUTH_REQUIRED; a few of them close the socket", async () => {
    const { a, conv } = await setup();
    const client = await openSocket(a);
    const id = clientMsgId();
    client.send({ type: "send", conversationId: conv, clientMsgId: id, kind: "text", body: "x" });
    expect(await client.next("error")).toMatchObject({ code: "AUTH_REQUIRED", ref: id });
    client.send({ type: "sync", conversationId: conv, afterSeq: 0 });
    client.send({ type: "ack", conversationId: conv, seq: 1 });
    expect((await client.waitClosed()).code).toBe(CloseCode.ProtocolViolation);
    expect(client.all("error").map((e) => e.code)).toEqual(["AUTH_REQUIRED", "AUTH_REQUIRED", "AUTH_REQUIRED"]);
    expect(await messageCount(conv)).toBe(0);
  });

  it("a token bound to node A is Unauthorized on node B", async () => {
    const { a, b, alice } = await setup();
    const client = await openSocket(b);
    client.send({ type: "auth", v: 1, token: tokenFor(alice, a.nodeId) });
    expect(await client.next("error")).toMatchObject({ code: "UNAUTHORIZED", ref: "auth" });
    expect((await client.waitClosed()).code).toBe(CloseCode.Unauthorized);
  });

  it("a token with a bad signature, or expired, is Unauthorized", async () => {
    const { a, alice } = await setup();
    const forged = issueSocketToken({ userId: alice, sessionId: sessionOf(alice), nodeId: a.nodeId, ttlMs: 60_000 }, "some-other-secret-0123456789").token;
    const expired = issueSocketToken({ userId: alice, sessionId: sessionOf(alice), nodeId: a.nodeId, ttlMs: 1000, now: Date.now() - 5000 }, "core-node-test-secret-0123456789").token;
    for (const token of [forged, expired, "garbage"]) {
      const client = await openSocket(a);
      client.send({ type: "auth", v: 1, token });
      expect(await client.next("error")).toMatchObject({ code: "UNAUTHORIZED" });
      expect((await client.waitClosed()).code).toBe(CloseCode.Unauthorized);
    }
  });

  it("a token is single-use: a second socket with it is refused UNAUTHORIZED + 4401, the first keeps working", async () => {
    const { a, bob, conv } = await setup();
    const token = tokenFor(bob, a.nodeId);
    const first = await openSocket(a);
    first.send({ type: "auth", v: 1, token });
    await first.next("welcome");
    const second = await openSocket(a);
    second.send({ type: "auth", v: 1, token });
    expect(await second.next("error")).toMatchObject({ code: "UNAUTHORIZED", ref: "auth", message: expect.stringMatching(/already used/) });
    expect((await second.waitClosed()).code).toBe(CloseCode.Unauthorized);
    expect(second.all("welcome")).toEqual([]);
    // the first socket is untouched
    first.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "still here" });
    expect(await first.next("sent")).toMatchObject({ conversationId: conv });
  });

  it("an unsupported protocol version is closed with UnsupportedVersion", async () => {
    const { a, alice } = await setup();
    const client = await openSocket(a);
    client.send({ type: "auth", v: 2, token: tokenFor(alice, a.nodeId) });
    expect(await client.next("error")).toMatchObject({ code: "UNSUPPORTED_VERSION", ref: "auth" });
    expect((await client.waitClosed()).code).toBe(CloseCode.UnsupportedVersion);
  });
});

describe("upgrade", () => {
  it("a browser Origin not in DIM_ALLOWED_ORIGINS is closed with ForbiddenOrigin; allowed and missing Origins pass", async () => {
    const { a, alice } = await setup();
    const evil = await TestClient.connect(a.wsUrl, { origin: "https://evil.example" });
    expect((await evil.waitClosed()).code).toBe(CloseCode.ForbiddenOrigin);

    const good = await openSocket(a, { origin: "http://localhost:3000" });
    good.send({ type: "auth", v: 1, token: tokenFor(alice, a.nodeId) });
    await good.next("welcome");
    // (connectAs, used everywhere else, sends no Origin at all)
  });

  it("only /ws upgrades; /healthz answers", async () => {
    const hub = new MemoryHub();
    const node = await startNode(db, hub);
    await expect(TestClient.connect(node.wsUrl.replace("/ws", "/other"))).rejects.toThrow(/404/);
    const res = await fetch(node.httpUrl("/healthz"));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", nodeId: node.nodeId, connections: 0 });
  });
});
