/**
 * Typing and presence through DimClient against the real system (real-stack.ts: the gateway and
 * two real core nodes): what a person types shows on the other's client on the other node, is
 * cleared by the message, and presence follows the other person coming and going.
 */
import { describe, expect, it } from "vitest";
import { until } from "../src/testing";
import { befriend, clientFor, nodeOf, register, useRealStack } from "./real-stack";

useRealStack();

describe("typing and presence with a real gateway and two real core nodes", () => {
  it("typing crosses nodes and is cleared by the message; presence shows online, then last seen", async () => {
    const alice = await register("tia");
    const bob = await register("tom");
    const conversationId = await befriend(alice, bob);
    const a = clientFor(alice);
    const b = clientFor(bob);
    await b.connect();
    const aliceOnline = until(b, "presence", (e) => e.contacts.some((c) => c.userId === alice.id && c.online), "alice online on bob's side");
    await a.connect();
    expect(nodeOf(a)).not.toBe(nodeOf(b));
    await aliceOnline;
    expect(b.presenceOf(alice.id)).toEqual({ userId: alice.id, online: true, lastSeenAt: null });

    const typing = until(b, "typing", (e) => e.conversationId === conversationId && e.userIds.includes(alice.id), "alice typing on bob's side");
    a.typing(conversationId);
    await typing;
    expect(b.typingUsers(conversationId)).toEqual([alice.id]);

    const cleared = until(b, "typing", (e) => e.conversationId === conversationId && e.userIds.length === 0, "typing cleared by the message");
    a.send(conversationId, "here it is");
    await cleared;
    expect(b.conversationMessages(conversationId).map((m) => m.body)).toEqual(["here it is"]);

    const gone = until(b, "presence", (e) => e.contacts.some((c) => c.userId === alice.id && !c.online), "alice offline on bob's side");
    await a.stop();
    await gone;
    const seen = b.presenceOf(alice.id);
    expect(seen?.online).toBe(false);
    expect(seen?.lastSeenAt).not.toBeNull();
    expect(Date.parse(seen!.lastSeenAt!)).toBeLessThanOrEqual(Date.now());
  });
});
