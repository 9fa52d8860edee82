/**
 * `ack` / `read` are applied in arrival order but never hold up the socket's later frames: their
 * cursor writes may wait for company (DIM_CURSOR_COLLECT_MS) or for a slow database.
 */
import { describe, expect, it } from "vitest";
import { MemoryHub } from "@dim/infra";
import type { MessageStore } from "@dim/db";
import { clientMsgId, connectAs, createConversation, createUser, startCluster, startNode, useTestDatabase } from "./helpers/cluster";
import type { TestClient } from "./helpers/test-client";

const db = useTestDatabase();

describe("cursor moves", () => {
  it("a slow cursor write does not hold up the next send on the same socket; its receipt follows", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const slowCursors = (s: MessageStore): MessageStore =>
      Object.assign(Object.create(s) as MessageStore, {
        moveCursor: async (...args: Parameters<MessageStore["moveCursor"]>) => {
          order.push(`${args[2]}:${args[3]}`);
          await gate;
          return s.moveCursor(...args);
        },
      });
    const node = await startNode(db, new MemoryHub(), { store: slowCursors });
    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const { client: ca } = await connectAs(node, alice);
    const { client: cb } = await connectAs(node, bob);

    ca.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "one" });
    expect((await cb.next("message")).message).toMatchObject({ seq: 1 });

    // Bob acks and reads (both wait on the gate), then sends: his `sent` comes first.
    cb.send({ type: "ack", conversationId: conv, seq: 1 });
    cb.send({ type: "read", conversationId: conv, seq: 1 });
    cb.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "two" });
    expect(await cb.next("sent")).toMatchObject({ seq: 2 });
    expect(ca.all("receipt")).toEqual([]);
    expect(order).toEqual(["delivered:1", "read:1"]);

    release();
    expect(await ca.next("receipt")).toMatchObject({ conversationId: conv, userId: bob, kind: "delivered", seq: 1 });
    expect(await ca.next("receipt")).toMatchObject({ conversationId: conv, userId: bob, kind: "read", seq: 1 });
  });

  it("a cursor move in a conversation the user is not in is answered FORBIDDEN (ref: its type)", async () => {
    const node = await startNode(db, new MemoryHub());
    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const carol = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const { client } = await connectAs(node, carol);
    client.send({ type: "ack", conversationId: conv, seq: 1 });
    expect(await client.next("error")).toMatchObject({ code: "FORBIDDEN", ref: "ack" });
    client.send({ type: "read", conversationId: conv, seq: 1 });
    expect(await client.next("error")).toMatchObject({ code: "FORBIDDEN", ref: "read" });
  });

  it("an ack that moves nothing (after a read to the same seq) sends no `delivered` receipt, here or on another node", async () => {
    const { a, b } = await startCluster(db);
    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const { client: aliceHere } = await connectAs(a, alice);
    const { client: aliceThere } = await connectAs(b, alice);
    const { client: cb } = await connectAs(a, bob);
    const send = async (body: string) => {
      aliceHere.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body });
      return (await cb.next("message")).message.seq;
    };
    await send("one");
    const two = await send("two");

    cb.send({ type: "read", conversationId: conv, seq: two }); // moves delivered to 2 as well
    for (const c of [aliceHere, aliceThere]) expect(await c.next("receipt")).toMatchObject({ kind: "read", seq: two });
    cb.send({ type: "ack", conversationId: conv, seq: two }); // moves nothing
    cb.send({ type: "ack", conversationId: conv, seq: 1 }); // nor this
    const three = await send("three");
    cb.send({ type: "ack", conversationId: conv, seq: three }); // this one moves
    // Cursor moves are applied and told in arrival order: the next receipt is the one for 3.
    for (const c of [aliceHere, aliceThere]) {
      expect(await c.next("receipt")).toMatchObject({ userId: bob, kind: "delivered", seq: three });
      expect(c.all("receipt").filter((r) => r.kind === "delivered" && r.seq !== three)).toEqual([]);
    }
  });

  it("in a group, an ack that moves nothing puts no cursor in the coalesced `receipts`", async () => {
    const { a, b } = await startCluster(db, { groupReceiptCoalesceMs: 20 });
    const [ann, ben, cy] = await Promise.all([createUser(db.prisma), createUser(db.prisma), createUser(db.prisma)]);
    const g = await createConversation(db.prisma, [ann, ben, cy]);
    const { client: annHere } = await connectAs(a, ann);
    const { client: annThere } = await connectAs(b, ann);
    const { client: benHere } = await connectAs(a, ben);
    const receiptsOf = (c: TestClient) => c.next("receipts", (f) => f.conversationId === g);
    const send = async (body: string) => {
      annHere.send({ type: "send", conversationId: g, clientMsgId: clientMsgId(), kind: "text", body });
      return (await benHere.next("message", (f) => f.message.body === body)).message.seq;
    };
    const one = await send("one");
    benHere.send({ type: "read", conversationId: g, seq: one });
    for (const c of [annHere, annThere]) expect((await receiptsOf(c)).cursors).toEqual([{ userId: ben, deliveredSeq: one, readSeq: one, joinedSeq: 1 }]);
    benHere.send({ type: "ack", conversationId: g, seq: one }); // moves nothing: no window opens
    await new Promise((r) => setTimeout(r, 100)); // several coalescing windows
    const two = await send("two");
    benHere.send({ type: "ack", conversationId: g, seq: two });
    for (const c of [annHere, annThere]) expect((await receiptsOf(c)).cursors).toEqual([{ userId: ben, deliveredSeq: two, readSeq: 0, joinedSeq: 1 }]);
  });
});
