/**
 * Contact news through DimClient against the real system (real-stack.ts: the gateway and two real
 * core nodes): a request and its accept arrive as `contacts` events without any polling, on the
 * other node; a block drops the blocked contact's presence on the blocker's side (the client asks
 * for the whole list again) and the blocked user's send fails with the stranger's FORBIDDEN.
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "@dim/shared";
import { until } from "../src/testing";
import { clientFor, nodeOf, register, useRealStack } from "./real-stack";

useRealStack();

describe("contact news with a real gateway and two real core nodes", () => {
  it("request and accept arrive as events; a block hides presence and refuses the blocked user's sends", async () => {
    const ann = await register("cia");
    const ben = await register("cio");
    const a = clientFor(ann);
    const b = clientFor(ben);
    await a.connect();
    await b.connect();
    expect(nodeOf(a)).not.toBe(nodeOf(b));

    const asked = until(b, "contacts", (e) => e.event === "request" && e.user.id === ann.id, "the request on ben's side");
    const request = await ann.api.contacts.request.mutate({ username: ben.username });
    await asked;
    const accepted = until(a, "contacts", (e) => e.event === "accepted" && e.user.id === ben.id, "the accept on ann's side");
    const benOnline = until(a, "presence", (e) => e.contacts.some((c) => c.userId === ben.id && c.online), "ben online on ann's side");
    const { contact } = await ben.api.contacts.accept.mutate({ requestId: request.id });
    await accepted;
    await benOnline; // the client asked for presence again once they were contacts

    const benGone = until(a, "presence", (e) => e.contacts.some((c) => c.userId === ben.id && !c.online), "ben's presence gone on ann's side");
    const blocked = until(a, "contacts", (e) => e.event === "blocked", "the block on ann's own client");
    await ann.api.contacts.block.mutate({ userId: ben.id });
    await blocked;
    await benGone;
    expect(a.presenceOf(ben.id)).toBeUndefined();

    const refused = until(b, "messageState", (e) => e.state === "failed", "ben's send failed");
    b.send(contact.conversationId, "still there?");
    const failed = await refused;
    expect(failed.error?.code).toBe(ErrorCode.Forbidden);
  });
});
