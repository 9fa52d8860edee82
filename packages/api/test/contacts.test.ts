import { describe, expect, it } from "vitest";
import { ErrorCode } from "@dim/shared";
import { expectAppError, useTestGateway } from "./helpers";

describe("users.search", () => {
  const gw = useTestGateway();

  it("finds by username or display-name prefix, not yourself, bounded", async () => {
    const me = await gw.register("sam", "Sam Searcher");
    await gw.register("sally", "Sally");
    await gw.register("bob", "Samuel B");
    await gw.register("s_x", "Other");
    await gw.register("sxy", "Other Too");

    const found = await me.client.users.search.query({ query: "sa" });
    expect(found.map((u) => u.username).sort()).toEqual(["bob", "sally"]);
    expect(found.every((u) => Object.keys(u).sort().join() === "avatarUrl,displayName,id,statusText,username")).toBe(true);

    // Case-insensitive on display names.
    expect((await me.client.users.search.query({ query: "SAMUEL" })).map((u) => u.username)).toEqual(["bob"]);
    // '_' is a literal, not a LIKE wildcard.
    expect((await me.client.users.search.query({ query: "s_" })).map((u) => u.username)).toEqual(["s_x"]);
    expect(await me.client.users.search.query({ query: "s", limit: 1 })).toHaveLength(1);
    await expectAppError(me.client.users.search.query({ query: "s", limit: 1000 }), ErrorCode.BadRequest);
    await expectAppError(gw.anon.users.search.query({ query: "s" }), ErrorCode.Unauthorized);
  });
});

describe("users.search throttling", () => {
  const gw = useTestGateway({ searchMaxPerUser: 3, searchWindowMs: 60_000 });

  it("allows searchMaxPerUser searches per user per window, then RATE_LIMITED with retryAfterMs; other users are not affected", async () => {
    const me = await gw.register("thrott_a");
    const other = await gw.register("thrott_b");
    for (let i = 0; i < 3; i++) await me.client.users.search.query({ query: "thrott" });
    const err = await expectAppError(me.client.users.search.query({ query: "thrott" }), ErrorCode.RateLimited);
    expect(err.data.details?.retryAfterMs).toBeGreaterThan(0);
    expect((await other.client.users.search.query({ query: "thrott" })).map((u) => u.username)).toEqual(["thrott_a"]);
  });
});

describe("contacts", () => {
  const gw = useTestGateway();

  it("request → incoming/outgoing → accept creates one direct conversation and both contacts", async () => {
    const ann = await gw.register("ann");
    const ben = await gw.register("ben");

    const request = await ann.client.contacts.request.mutate({ username: "ben" });
    expect(request).toMatchObject({ status: "pending", from: { username: "ann" }, to: { username: "ben" } });

    expect((await ann.client.contacts.requests.query()).outgoing.map((r) => r.id)).toEqual([request.id]);
    expect((await ann.client.contacts.requests.query()).incoming).toEqual([]);
    expect((await ben.client.contacts.requests.query()).incoming.map((r) => r.id)).toEqual([request.id]);

    // A second request while one is pending is a conflict.
    await expectAppError(ann.client.contacts.request.mutate({ username: "ben" }), ErrorCode.Conflict);
    // Only the recipient accepts.
    await expectAppError(ann.client.contacts.accept.mutate({ requestId: request.id }), ErrorCode.Forbidden);

    const { contact } = await ben.client.contacts.accept.mutate({ requestId: request.id });
    expect(contact.user.username).toBe("ann");

    // Idempotent.
    const again = await ben.client.contacts.accept.mutate({ requestId: request.id });
    expect(again.contact.conversationId).toBe(contact.conversationId);

    const annContacts = await ann.client.contacts.list.query();
    expect(annContacts).toHaveLength(1);
    expect(annContacts[0]).toMatchObject({ user: { username: "ben" }, conversationId: contact.conversationId });
    expect((await ben.client.contacts.list.query()).map((c) => c.user.username)).toEqual(["ann"]);

    const conversation = await gw.prisma.conversation.findUniqueOrThrow({
      where: { id: contact.conversationId },
      include: { members: true },
    });
    expect(conversation.kind).toBe("direct");
    expect(conversation.directKey).toBe([ann.id, ben.id].sort().join(":"));
    expect(conversation.members.map((m) => m.userId).sort()).toEqual([ann.id, ben.id].sort());
    expect(await gw.prisma.conversation.count({ where: { directKey: conversation.directKey } })).toBe(1);

    expect((await ben.client.contacts.requests.query()).incoming).toEqual([]);
    expect((await ann.client.contacts.requests.query()).outgoing).toEqual([]);

    // Already contacts.
    await expectAppError(ann.client.contacts.request.mutate({ username: "ben" }), ErrorCode.Conflict);
    await expectAppError(ben.client.contacts.request.mutate({ username: "ann" }), ErrorCode.Conflict);
    // Declining an accepted request is a conflict.
    await expectAppError(ben.client.contacts.decline.mutate({ requestId: request.id }), ErrorCode.Conflict);
  });

  it("auto-accepts when the other side already asked you", async () => {
    const cat = await gw.register("cat");
    const dan = await gw.register("dan");
    const first = await cat.client.contacts.request.mutate({ username: "dan" });
    const answer = await dan.client.contacts.request.mutate({ username: "cat" });
    expect(answer).toMatchObject({ id: first.id, status: "accepted" });
    const catContacts = await cat.client.contacts.list.query();
    const danContacts = await dan.client.contacts.list.query();
    expect(catContacts.map((c) => c.user.username)).toEqual(["dan"]);
    expect(danContacts[0]?.conversationId).toBe(catContacts[0]?.conversationId);
    expect(await gw.prisma.contactRequest.count({ where: { fromUserId: dan.id } })).toBe(0);
  });

  it("decline: recipient only, idempotent, and a declined request cannot be accepted", async () => {
    const eve = await gw.register("eve");
    const fay = await gw.register("fay");
    const req = await eve.client.contacts.request.mutate({ username: "fay" });
    await expectAppError(eve.client.contacts.decline.mutate({ requestId: req.id }), ErrorCode.Forbidden);
    expect(await fay.client.contacts.decline.mutate({ requestId: req.id })).toEqual({ ok: true });
    expect(await fay.client.contacts.decline.mutate({ requestId: req.id })).toEqual({ ok: true });
    await expectAppError(fay.client.contacts.accept.mutate({ requestId: req.id }), ErrorCode.Conflict);
    expect((await fay.client.contacts.requests.query()).incoming).toEqual([]);
    expect(await fay.client.contacts.list.query()).toEqual([]);
    expect(await gw.prisma.conversation.count({ where: { members: { some: { userId: fay.id } } } })).toBe(0);

    // Asking again after a decline re-opens the same request.
    const again = await eve.client.contacts.request.mutate({ username: "fay" });
    expect(again).toMatchObject({ id: req.id, status: "pending" });
  });

  it("bad cases: yourself, unknown user, unknown or foreign request", async () => {
    const gus = await gw.register("gus");
    const hal = await gw.register("hal");
    const ida = await gw.register("ida");
    await expectAppError(gus.client.contacts.request.mutate({ username: "gus" }), ErrorCode.BadRequest);
    await expectAppError(gus.client.contacts.request.mutate({ username: "no_such_user" }), ErrorCode.NotFound);
    await expectAppError(
      gus.client.contacts.accept.mutate({ requestId: "00000000-0000-4000-8000-000000000000" }),
      ErrorCode.NotFound,
    );
    const req = await gus.client.contacts.request.mutate({ username: "hal" });
    // Someone outside the request does not even learn it exists.
    await expectAppError(ida.client.contacts.accept.mutate({ requestId: req.id }), ErrorCode.NotFound);
    await expectAppError(ida.client.contacts.decline.mutate({ requestId: req.id }), ErrorCode.NotFound);
    await expectAppError(gw.anon.contacts.list.query(), ErrorCode.Unauthorized);
    expect((await hal.client.contacts.requests.query()).incoming.map((r) => r.id)).toEqual([req.id]);
  });

  it("two people adding each other at once end with one conversation", async () => {
    const jo = await gw.register("jo_1");
    const kim = await gw.register("kim_1");
    const results = await Promise.allSettled([
      jo.client.contacts.request.mutate({ username: "kim_1" }),
      kim.client.contacts.request.mutate({ username: "jo_1" }),
    ]);
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    const statuses = results.map((r) => (r.status === "fulfilled" ? r.value.status : "")).sort();
    expect(statuses).toEqual(["accepted", "pending"]);
    expect((await jo.client.contacts.list.query()).map((c) => c.user.username)).toEqual(["kim_1"]);
    expect(await gw.prisma.conversation.count({ where: { directKey: [jo.id, kim.id].sort().join(":") } })).toBe(1);
  });
});
