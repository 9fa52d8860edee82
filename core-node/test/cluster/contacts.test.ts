/**
 * Cluster mode: contact news and blocking across core node processes on real Kafka, ZooKeeper,
 * Redis and PostgreSQL, through @dim/client. A request and its accept reach the other person's
 * node as `contacts` frames (nothing polls); a block refuses the blocked person's sends on their
 * own node with a stranger's FORBIDDEN, an unblock restores them, typing included (the nodes'
 * cached view is dropped over Kafka); a removal makes the conversation READ_ONLY both ways.
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "@dim/shared";
import { until } from "@dim/client/testing";
import { nodeOf, useSystem } from "./system";

const system = useSystem({ label: "contacts", nodes: 2 });

describe("cluster mode: contacts, blocking and removal across nodes", () => {
  it("pushed requests, a block and an unblock, a removal", async () => {
    const [ann, ben] = await Promise.all([system.register("ann"), system.register("ben")]);
    const a = system.client(ann);
    const b = system.client(ben);
    await a.connect();
    await b.connect();
    expect(nodeOf(a)).not.toBe(nodeOf(b));

    const asked = until(b, "contacts", (e) => e.event === "request" && e.user.id === ann.id, "the request on ben's node", 30_000);
    const request = await ann.api.contacts.request.mutate({ username: ben.username });
    await asked;
    const accepted = until(a, "contacts", (e) => e.event === "accepted", "the accept on ann's node", 30_000);
    const { contact } = await ben.api.contacts.accept.mutate({ requestId: request.id });
    await accepted;
    const conv = contact.conversationId;

    const blocked = until(a, "contacts", (e) => e.event === "blocked", "the block on ann's own client", 30_000);
    await ann.api.contacts.block.mutate({ userId: ben.id });
    await blocked;
    const refused = until(b, "messageState", (e) => e.state === "failed", "ben's send refused", 30_000);
    b.send(conv, "are you there?");
    expect((await refused).error?.code).toBe(ErrorCode.Forbidden);

    const unblocked = until(a, "contacts", (e) => e.event === "unblocked", "the unblock", 30_000);
    await ann.api.contacts.unblock.mutate({ userId: ben.id });
    await unblocked;
    const arrived = until(a, "message", (m) => m.conversationId === conv && m.body === "back", "ben's message after the unblock", 30_000);
    b.send(conv, "back");
    await arrived;
    // typing relayed again: ben's node dropped its cached "closed" view on direct.changed
    const typing = until(a, "typing", (e) => e.conversationId === conv && e.userIds.includes(ben.id), "ben typing", 30_000);
    b.typing(conv);
    await typing;

    const removedA = until(a, "contacts", (e) => e.event === "removed", "removed on ann's node", 30_000);
    const removedB = until(b, "contacts", (e) => e.event === "removed", "removed on ben's node", 30_000);
    await ben.api.contacts.remove.mutate({ userId: ann.id });
    await Promise.all([removedA, removedB]);
    const readOnly = until(a, "messageState", (e) => e.state === "failed", "ann's send refused", 30_000);
    a.send(conv, "hello?");
    expect((await readOnly).error?.code).toBe(ErrorCode.ReadOnly);
  });
});
