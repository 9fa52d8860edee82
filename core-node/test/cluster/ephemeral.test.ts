/**
 * Cluster mode: typing and presence between core node processes on real Kafka, ZooKeeper, Redis
 * and PostgreSQL, through @dim/client. (The removed-member and stranger cases are proven
 * deterministically on the embedded bus: core-node/test/typing.test.ts, presence.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { until } from "@dim/client/testing";
import { nodeOf, useSystem } from "./system";

const system = useSystem({ label: "ephemeral", nodes: 2, nodeEnv: { DIM_PRESENCE_COALESCE_MS: "200" } });

describe("cluster mode: typing and presence over Kafka and Redis", () => {
  it("typing crosses nodes in 1:1 and groups; presence shows online, then last seen, hidden when asked", async () => {
    const [alice, bob, carol] = await Promise.all([system.register("tina"), system.register("tim"), system.register("tess")]);
    const ab = await system.befriend(alice, bob);
    await system.befriend(alice, carol);
    const a = system.client(alice);
    const b = system.client(bob);
    const c = system.client(carol);
    await a.connect();
    const bobOnline = until(a, "presence", (e) => e.contacts.some((x) => x.userId === bob.id && x.online), "bob online on alice's side");
    await b.connect();
    await c.connect();
    expect(nodeOf(a)).not.toBe(nodeOf(b));
    await bobOnline;

    // 1:1, node to node over Kafka (presence routes from Redis)
    const typing = until(b, "typing", (e) => e.conversationId === ab && e.userIds.includes(alice.id), "alice typing on bob's side");
    a.typing(ab);
    await typing;
    const cleared = until(b, "typing", (e) => e.conversationId === ab && e.userIds.length === 0, "cleared by the message");
    a.send(ab, "done typing");
    await cleared;

    // a group: one record per live node; bob (the other node) and carol both see alice typing
    const { conversation } = await alice.api.groups.create.mutate({ title: "ephemeral", memberIds: [bob.id, carol.id] });
    const g = conversation.id;
    const seenBy = [b, c].map((x) => until(x, "typing", (e) => e.conversationId === g && e.userIds.includes(alice.id), "alice typing in the group"));
    a.typing(g);
    await Promise.all(seenBy);

    // bob hides his last seen: alice sees him go offline without one; carol's last seen shows
    await bob.api.privacy.set.mutate({ hideLastSeen: true });
    const bobGone = until(a, "presence", (e) => e.contacts.some((x) => x.userId === bob.id && !x.online), "bob offline on alice's side");
    await b.stop();
    await bobGone;
    expect(a.presenceOf(bob.id)).toEqual({ userId: bob.id, online: false, lastSeenAt: null });
    const carolGone = until(a, "presence", (e) => e.contacts.some((x) => x.userId === carol.id && !x.online), "carol offline on alice's side");
    await c.stop();
    await carolGone;
    expect(a.presenceOf(carol.id)?.lastSeenAt).not.toBeNull();
  });
});
