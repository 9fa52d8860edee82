/**
 * The protocol clocks on the server side, driven by fake timers: delivery re-push, idle timeout,
 * authentication deadline. Network and database I/O stay real. `performance` is faked too: the
 * node's deadline sweep compares performance.now() with each socket's open and last-frame times.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CloseCode, DEFAULT_ACK_TIMEOUT_MS } from "@dim/shared";
import {
  clientMsgId,
  connectAs,
  createConversation,
  createUser,
  openSocket,
  startCluster,
  testConfig,
  tokenFor,
  useTestDatabase,
} from "./helpers/cluster";
import { deadlineSweepMs } from "../src/core-node";

const db = useTestDatabase();

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "performance"] });
});
afterEach(() => {
  vi.useRealTimers();
});

async function twoUsers(config: Parameters<typeof startCluster>[1] = {}) {
  const cluster = await startCluster(db, config);
  const alice = await createUser(db.prisma);
  const bob = await createUser(db.prisma);
  const conv = await createConversation(db.prisma, [alice, bob]);
  const { client: ca } = await connectAs(cluster.a, alice);
  const { client: cb } = await connectAs(cluster.b, bob);
  return { ...cluster, alice, bob, conv, ca, cb };
}

describe("delivery re-push", () => {
  it("a recipient that never ACKs gets exactly one re-push after the ACK timeout, then nothing", async () => {
    const { conv, ca, cb } = await twoUsers({ ackTimeoutMs: DEFAULT_ACK_TIMEOUT_MS });
    ca.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "are you there" });
    await ca.next("sent");
    const first = await cb.next("message");

    await vi.advanceTimersByTimeAsync(DEFAULT_ACK_TIMEOUT_MS - 1);
    await cb.roundTrip();
    expect(cb.all("message")).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(1);
    const again = await cb.next("message");
    expect(again.message).toEqual(first.message);

    // left to sync from here on
    await vi.advanceTimersByTimeAsync(DEFAULT_ACK_TIMEOUT_MS * 5);
    await cb.roundTrip();
    expect(cb.all("message")).toHaveLength(2);
  });

  it("an ACK (or read) covering the seq cancels the re-push", async () => {
    const { conv, ca, cb, bob } = await twoUsers({ ackTimeoutMs: DEFAULT_ACK_TIMEOUT_MS });
    for (let i = 0; i < 3; i++) {
      ca.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: `m${i}` });
      await ca.next("sent");
    }
    for (let i = 0; i < 3; i++) await cb.next("message");
    cb.send({ type: "ack", conversationId: conv, seq: 2 });
    await ca.next("receipt", (r) => r.userId === bob && r.seq === 2);

    await vi.advanceTimersByTimeAsync(DEFAULT_ACK_TIMEOUT_MS);
    // only seq 3 was not covered by the ACK
    const repushed = await cb.next("message");
    expect(repushed.message.seq).toBe(3);
    await vi.advanceTimersByTimeAsync(DEFAULT_ACK_TIMEOUT_MS * 3);
    await cb.roundTrip();
    expect(cb.all("message").map((f) => f.message.seq)).toEqual([1, 2, 3, 3]);
  });

  it("DIM_REPUSH=0 leaves every lost push to sync", async () => {
    const { conv, ca, cb } = await twoUsers({ repush: false });
    ca.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "x" });
    await ca.next("sent");
    await cb.next("message");
    await vi.advanceTimersByTimeAsync(DEFAULT_ACK_TIMEOUT_MS * 3);
    await cb.roundTrip();
    expect(cb.all("message")).toHaveLength(1);
  });
});

describe("idle timeout", () => {
  it("any inbound frame counts as activity; a silent socket is closed with IdleTimeout", async () => {
    const idle = 10_000;
    const { conv, ca, a } = await twoUsers({ idleTimeoutMs: idle });

    // a chat frame (not only ping) keeps the socket alive past the first deadline
    await vi.advanceTimersByTimeAsync(idle - 1000);
    ca.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "still here" });
    await ca.next("sent");
    await vi.advanceTimersByTimeAsync(2000);
    ca.send({ type: "sync", conversationId: conv, afterSeq: 0 });
    await ca.next("sync.batch");

    await vi.advanceTimersByTimeAsync(idle);
    expect((await ca.waitClosed()).code).toBe(CloseCode.IdleTimeout);
    await vi.waitFor(() => expect(a.node.connectionCount).toBe(0));
  });
});

describe("authentication deadline", () => {
  it("an unauthenticated socket is closed with AuthTimeout", async () => {
    const { a } = await twoUsers({ authTimeoutMs: 5000 });
    const client = await openSocket(a);
    // checked by the node's sweep: still open one sweep before the deadline, closed at it
    const sweep = deadlineSweepMs({ authTimeoutMs: 5000, idleTimeoutMs: testConfig().idleTimeoutMs });
    await vi.advanceTimersByTimeAsync(5000 - sweep);
    await client.roundTrip();
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    await vi.advanceTimersByTimeAsync(sweep);
    expect((await client.waitClosed()).code).toBe(CloseCode.AuthTimeout);
  });

  it("authenticating in time cancels the deadline", async () => {
    const { a } = await twoUsers({ authTimeoutMs: 5000 });
    const carol = await createUser(db.prisma);
    const client = await openSocket(a);
    await vi.advanceTimersByTimeAsync(4000);
    client.send({ type: "auth", v: 1, token: tokenFor(carol, a.nodeId) });
    await client.next("welcome");
    await vi.advanceTimersByTimeAsync(5000);
    await client.roundTrip();
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });
});
