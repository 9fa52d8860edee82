/**
 * Connection bounds that protect the node: the connection limit and the send-buffer limit.
 */
import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { MemoryHub } from "@dim/infra";
import { CloseCode, Limits } from "@dim/shared";
import { TestClient } from "./helpers/test-client";
import { connectAs, createConversation, createUser, openSocket, startNode, useTestDatabase } from "./helpers/cluster";

const db = useTestDatabase();

describe("limits", () => {
  it("refuses upgrades beyond DIM_MAX_CONNECTIONS with HTTP 503", async () => {
    const node = await startNode(db, new MemoryHub(), { config: { maxConnections: 2 } });
    await openSocket(node);
    await openSocket(node);
    await expect(TestClient.connect(node.wsUrl)).rejects.toThrow(/503/);
  });

  it("closes a socket whose send buffer passes DIM_MAX_BUFFERED_BYTES with 4430, which a reader stalled for seconds still receives", async () => {
    const node = await startNode(db, new MemoryHub(), { config: { maxBufferedBytes: 64 * 1024 } });
    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const count = Limits.maxPageSize;
    await db.prisma.message.createMany({
      data: Array.from({ length: count }, (_, i) => ({
        id: randomUUID(),
        conversationId: conv,
        seq: BigInt(i + 1),
        senderId: alice,
        clientMsgId: `bulk-${i}-${randomUUID().slice(0, 8)}`,
        body: "x".repeat(Limits.maxBodyChars),
      })),
    });
    await db.prisma.conversation.update({ where: { id: conv }, data: { lastSeq: BigInt(count) } });

    // Longer than the 2 s every other close waits for the handshake: before the fix, the socket
    // was destroyed with its close frame still in the node's buffer, and the client saw 1006.
    const stallMs = 3_000;
    const runs = 3;
    const codes: number[] = [];
    for (let run = 0; run < runs; run++) {
      const { client } = await connectAs(node, bob);
      // Stop reading: what the node writes piles up in the kernel, then in its send buffer.
      const raw = (client.ws as unknown as { _socket: Socket })._socket;
      raw.pause();
      for (let i = 0; i < 20; i++) client.send({ type: "sync", conversationId: conv, afterSeq: 0, limit: count });
      await new Promise((r) => setTimeout(r, stallMs));
      raw.resume();
      codes.push((await client.waitClosed(15_000)).code);
    }
    expect(codes).toEqual(Array.from({ length: runs }, () => CloseCode.SlowConsumer));
    await vi.waitFor(() => expect(node.node.connectionCount).toBe(0), { timeout: 5_000, interval: 50 });
  });
});
