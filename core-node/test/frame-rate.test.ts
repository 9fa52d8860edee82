/**
 * The per-socket frame limit as docs/protocol.md §5 states it: a token bucket of DIM_SEND_BURST
 * frames refilled at DIM_SEND_RATE_PER_SEC; frames over it wait (the node stops reading), and a
 * frame that arrives while a burst's worth already waits closes the socket with 4429. So from a
 * full bucket 2 × burst frames at once are safe, one more in the same TCP read is not, and frames
 * the node has not read yet (still in TCP buffers while it paused) do not count.
 *
 * Each burst is written with one `writev` (cork/uncork), so the node reads it in one go: the
 * client and the node share this process, and the node cannot read before the write returns.
 */
import type { Socket } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { MemoryHub } from "@dim/infra";
import { CloseCode } from "@dim/shared";
import { clientMsgId, connectAs, createConversation, createUser, openSocket, startNode, testConfig, useTestDatabase } from "./helpers/cluster";
import { realSleep, type TestClient } from "./helpers/test-client";

const db = useTestDatabase();
const defaults = testConfig();
const BURST = defaults.rateLimitBurst; // 100
const RATE = defaults.rateLimitPerSec; // 50 per second

/** Writes the frames in one TCP write. */
function writeAtOnce(client: TestClient, frames: unknown[]): void {
  const socket = (client.ws as unknown as { _socket: Socket })._socket;
  socket.cork();
  for (const frame of frames) client.send(frame);
  socket.uncork();
}

const pings = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ type: "ping", t: from + i }));
const pongTs = (client: TestClient) => client.all("pong").map((p) => p.t);
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe("frame rate limit", () => {
  it("documents the defaults it tests: bursts of 100, 50 per second", () => {
    expect({ BURST, RATE }).toEqual({ BURST: 100, RATE: 50 });
  });

  it("from a full bucket, 2 × burst frames at once are all handled, in order, with no error and no close", async () => {
    const node = await startNode(db, new MemoryHub());
    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const { client } = await connectAs(node, alice);
    // `auth` took one token; one token's refill time later the bucket is full again.
    await realSleep(Math.ceil(1000 / RATE) + 5);

    const ids = Array.from({ length: 150 }, () => clientMsgId());
    const sends = ids.map((id) => ({ type: "send", conversationId: conv, clientMsgId: id, kind: "text", body: id }));
    writeAtOnce(client, [...sends, ...pings(0, 2 * BURST - sends.length)]);

    for (const id of ids) await client.next("sent", (s) => s.clientMsgId === id, 15_000);
    await vi.waitFor(() => expect(pongTs(client)).toEqual(range(0, 50)), { timeout: 15_000, interval: 20 });
    expect(client.all("error")).toEqual([]);
    await client.roundTrip(); // still open
    const stored = await db.prisma.message.findMany({ where: { conversationId: conv }, orderBy: { seq: "asc" } });
    expect(stored.map((m) => m.clientMsgId)).toEqual(ids);
  });

  it("one frame more than 2 × burst in the same read closes with 4429 after the burst is answered", async () => {
    // A slow refill, so no token comes back while the frames are read.
    const node = await startNode(db, new MemoryHub(), { config: { rateLimitPerSec: 1 } });
    const client = await openSocket(node); // a new socket's bucket is full; `ping` needs no auth
    writeAtOnce(client, pings(0, 2 * BURST + 1));
    expect((await client.waitClosed()).code).toBe(CloseCode.RateLimited);
    // The first burst was answered at once; the waiting frames were dropped with the socket.
    expect(pongTs(client)).toEqual(range(0, BURST));
    expect(client.all("error")).toEqual([]);
  });

  it("the same 260 frames: closed when read at once, fully shaped when the last 60 arrive after the node paused", async () => {
    const node = await startNode(db, new MemoryHub(), { config: { authTimeoutMs: 60_000 } });

    const atOnce = await openSocket(node);
    writeAtOnce(atOnce, pings(0, 260));
    expect((await atOnce.waitClosed(15_000)).code).toBe(CloseCode.RateLimited);
    expect(pongTs(atOnce).length).toBeLessThan(260);

    const split = await openSocket(node);
    writeAtOnce(split, pings(0, 2 * BURST));
    // The first burst is answered at once; the node has read all 200 frames and paused the socket.
    await split.next("pong", (p) => p.t === BURST - 1);
    writeAtOnce(split, pings(2 * BURST, 60)); // stays in TCP buffers until the 100 waiting are handled
    await vi.waitFor(() => expect(pongTs(split)).toEqual(range(0, 260)), { timeout: 20_000, interval: 50 });
    expect(split.all("error")).toEqual([]);
    await split.roundTrip(); // still open
  });
});
