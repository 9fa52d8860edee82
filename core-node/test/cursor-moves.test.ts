/**
 * `ack` / `read` are applied in arrival order but never hold up the socket's later frames: their
 * cursor writes may wait for company (DIM_CURSOR_COLLECT_MS) or for a slow database.
 */
import { describe, expect, it } from "vitest";
import { MemoryHub } from "@dim/infra";
import type { MessageStore } from "@dim/db";
import { clientMsgId, connectAs, createConversation, createUser, startNode, useTestDatabase } from "./helpers/cluster";

const db = useTestDatabase();

describe("cursor moves", () => {
  it("a slow cursor write does not hold up the next send on the same socket; its receipt follows", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const slowCursors = (s: MessageStore): MessageStore =>
      Object.assign(Object.create(s) as MessageStore, {
        advanceCursor: async (...args: Parameters<MessageStore["advanceCursor"]>) => {
          order.push(`${args[2]}:${args[3]}`);
          await gate;
          return s.advanceCursor(...args);
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
});
