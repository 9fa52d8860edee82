/**
 * Typing across two real nodes and the real gateway (embedded infra): relayed to the other
 * members' sockets on the other node, never to the typist's own devices, a stranger or a removed
 * member; rate-limited per socket; a non-member's `typing` is FORBIDDEN.
 */
import { describe, expect, it } from "vitest";
import { EphemeralLimits, ErrorCode } from "@dim/shared";
import { clientMsgId, connectAs } from "./helpers/cluster";
import { useGroupSystem } from "./helpers/group-system";
import type { TestClient } from "./helpers/test-client";

function typingsIn(client: TestClient, conversationId: string) {
  return client.all("typing").filter((f) => f.conversationId === conversationId);
}

describe("typing over two nodes", () => {
  const sys = useGroupSystem({ nodes: 2 });

  it("1:1: reaches the other member on the other node, not the typist's other device; a second one too soon is RATE_LIMITED", async () => {
    const [n0, n1] = [sys.nodes[0]!, sys.nodes[1]!];
    const owner = await sys.register();
    const [peer] = (await sys.contactsOf(owner.id, 1)) as [string];
    const { conversationId: conv } = await sys.prisma.contact.findUniqueOrThrow({ where: { ownerId_peerId: { ownerId: owner.id, peerId: peer } } });
    const ownerPhone = (await connectAs(n0, owner.id)).client;
    const ownerLaptop = (await connectAs(n1, owner.id)).client;
    const peerOn1 = (await connectAs(n1, peer)).client;

    ownerPhone.send({ type: "typing", conversationId: conv });
    const typing = await peerOn1.next("typing", (f) => f.conversationId === conv);
    expect(typing.userId).toBe(owner.id);
    expect(typing.ttlMs).toBeGreaterThan(0);
    expect(typing.ttlMs).toBeLessThanOrEqual(EphemeralLimits.typingTtlMs);

    // too soon on the same socket: a typed error, not relayed
    ownerPhone.send({ type: "typing", conversationId: conv });
    const limited = await ownerPhone.next("error", (f) => f.ref === "typing");
    expect(limited.code).toBe(ErrorCode.RateLimited);
    // a message after it goes the same way (same conversation key): once it is there, a relayed
    // second typing would be too
    const id = clientMsgId();
    ownerPhone.send({ type: "send", conversationId: conv, clientMsgId: id, kind: "text", body: "hi" });
    await peerOn1.next("message", (f) => f.message.clientMsgId === id);
    await ownerLaptop.next("message", (f) => f.message.clientMsgId === id);
    expect(typingsIn(peerOn1, conv)).toHaveLength(1);
    expect(typingsIn(ownerLaptop, conv)).toHaveLength(0);
    expect(typingsIn(ownerPhone, conv)).toHaveLength(0);

    // the peer's typing reaches both of the owner's devices, on both nodes
    peerOn1.send({ type: "typing", conversationId: conv });
    expect((await ownerPhone.next("typing")).userId).toBe(peer);
    expect((await ownerLaptop.next("typing")).userId).toBe(peer);
  });

  it("group: other members on the other node get it; a stranger never; a removed member neither gets nor sends it", async () => {
    const [n0, n1] = [sys.nodes[0]!, sys.nodes[1]!];
    const owner = await sys.register();
    const [ann, ben, stranger] = (await sys.contactsOf(owner.id, 3)) as [string, string, string];
    const { conversation } = await owner.client.groups.create.mutate({ title: "typing", memberIds: [ann, ben] });
    const g = conversation.id;
    const ownerPhone = (await connectAs(n0, owner.id)).client;
    const ownerLaptop = (await connectAs(n0, owner.id)).client;
    const annOn1 = (await connectAs(n1, ann)).client;
    const benOn1 = (await connectAs(n1, ben)).client;
    const strangerOn1 = (await connectAs(n1, stranger)).client;

    ownerPhone.send({ type: "typing", conversationId: g });
    expect((await annOn1.next("typing", (f) => f.conversationId === g)).userId).toBe(owner.id);
    expect((await benOn1.next("typing", (f) => f.conversationId === g)).userId).toBe(owner.id);

    // a stranger may not type there (and hears nothing)
    strangerOn1.send({ type: "typing", conversationId: g });
    expect((await strangerOn1.next("error", (f) => f.ref === "typing")).code).toBe(ErrorCode.Forbidden);

    // ben is removed: his node learns it (members.changed), his devices get `removed`
    await owner.client.groups.removeMember.mutate({ conversationId: g, userId: ben });
    await benOn1.next("conversation", (f) => f.conversationId === g && f.event === "removed");
    benOn1.send({ type: "typing", conversationId: g });
    expect((await benOn1.next("error", (f) => f.ref === "typing")).code).toBe(ErrorCode.Forbidden);

    // the owner's other socket (its own rate) types again: ann gets it, ben and the stranger don't
    ownerLaptop.send({ type: "typing", conversationId: g });
    await annOn1.next("typing", (f) => f.conversationId === g);
    // ann, ben and the stranger are on the same node: that node pushed the relay to all its
    // sockets at once; after a round trip anything written to ben / the stranger is here
    await benOn1.roundTrip();
    await strangerOn1.roundTrip();
    expect(typingsIn(benOn1, g)).toHaveLength(1);
    expect(typingsIn(strangerOn1, g)).toHaveLength(0);
    expect(typingsIn(annOn1, g)).toHaveLength(2);
    // the typist's own devices are never told
    await ownerPhone.roundTrip();
    expect(typingsIn(ownerPhone, g)).toHaveLength(0);
    expect(typingsIn(ownerLaptop, g)).toHaveLength(0);
  });

  it("bad typing frames are BAD_REQUEST", async () => {
    const owner = await sys.register();
    const { client } = await connectAs(sys.nodes[0]!, owner.id);
    client.send({ type: "typing", conversationId: "not-a-uuid" });
    expect((await client.next("error", (f) => f.ref === "typing")).code).toBe(ErrorCode.BadRequest);
    client.send({ type: "typing", conversationId: "8c0d5e0e-7f6a-4b7e-9c1d-2a3b4c5d6e7f", state: "start" });
    expect((await client.next("error", (f) => f.ref === "typing")).code).toBe(ErrorCode.BadRequest);
    // a conversation that does not exist: FORBIDDEN, as for one you are not in
    client.send({ type: "typing", conversationId: "8c0d5e0e-7f6a-4b7e-9c1d-2a3b4c5d6e7f" });
    expect((await client.next("error", (f) => f.ref === "typing")).code).toBe(ErrorCode.Forbidden);
  });
});
