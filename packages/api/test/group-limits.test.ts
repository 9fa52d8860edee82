/**
 * Group sizes and throttling through the gateway over HTTP: a 1,000-member group (the default
 * DIM_GROUP_MAX_MEMBERS) built in batches of 200 and the 1,001st refused; DIM_GROUPS_PER_USER_MAX,
 * also under concurrent adds; the per-user change rate. Every refusal changes nothing.
 */
import { describe, expect, it } from "vitest";
import { ErrorCode, Limits } from "@dim/shared";
import { GATEWAY_DEFAULTS } from "../src/config";
import { bulkContacts, circle, expectUnchanged, globalCounts } from "./group-helpers";
import { expectAppError, useTestGateway } from "./helpers";

describe("a group at the default size limit", () => {
  const gw = useTestGateway();

  it("holds 1,000 members (owner included), refuses the 1,001st, and takes one again after a removal", { timeout: 120_000 }, async () => {
    expect(GATEWAY_DEFAULTS.groupMaxMembers).toBe(1000);
    const owner = await gw.register("big_owner");
    const others = await bulkContacts(gw, owner.id, 1000, "big");
    const batch = Limits.maxGroupBatch;
    const { conversation } = await owner.client.groups.create.mutate({ title: "Everyone", memberIds: others.slice(0, batch) });
    const id = conversation.id;
    expect(conversation.memberCount).toBe(batch + 1);
    for (let from = batch; from < 999; from += batch) {
      const userIds = others.slice(from, Math.min(from + batch, 999));
      const { added } = await owner.client.groups.addMembers.mutate({ conversationId: id, userIds });
      expect(added).toHaveLength(userIds.length);
    }
    expect((await gw.store.members(id))?.length).toBe(1000);

    const last = others[999]!;
    const err = await expectAppError(owner.client.groups.addMembers.mutate({ conversationId: id, userIds: [last] }), ErrorCode.LimitExceeded);
    expect(err.data).toMatchObject({ httpStatus: 409, code: "CONFLICT", details: { limit: 1000, members: 1000 } });
    await expectUnchanged(gw, id, () =>
      expectAppError(owner.client.groups.addMembers.mutate({ conversationId: id, userIds: [last] }), ErrorCode.LimitExceeded),
    );

    let total = 0;
    let cursor: string | undefined;
    do {
      const page = await owner.client.groups.members.query({ conversationId: id, limit: Limits.maxMembersPage, ...(cursor ? { cursor } : {}) });
      expect(page.total).toBe(1000);
      total += page.members.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(total).toBe(1000);
    expect((await owner.client.conversations.list.query()).find((c) => c.id === id)).toMatchObject({ memberCount: 1000, lastSeq: 5 });

    await owner.client.groups.removeMember.mutate({ conversationId: id, userId: others[0]! });
    await owner.client.groups.addMembers.mutate({ conversationId: id, userIds: [last] });
    expect((await gw.store.members(id))?.length).toBe(1000);
  });
});

describe("configured limits", () => {
  const gw = useTestGateway({ groupMaxMembers: 4, groupsPerUserMax: 2 });

  it("members per group: at create and at add", async () => {
    const { owner, people } = await circle(gw, "lm_ana", ["lm_b1", "lm_b2", "lm_b3", "lm_b4"]);
    const ids = Object.values(people).map((p) => p.id);
    const before = await globalCounts(gw);
    await expectAppError(owner.client.groups.create.mutate({ title: "Too big", memberIds: ids }), ErrorCode.LimitExceeded);
    expect(await globalCounts(gw)).toEqual(before);
    const { conversation } = await owner.client.groups.create.mutate({ title: "Just", memberIds: ids.slice(0, 2) });
    await expectUnchanged(gw, conversation.id, () =>
      expectAppError(owner.client.groups.addMembers.mutate({ conversationId: conversation.id, userIds: ids.slice(2) }), ErrorCode.LimitExceeded),
    );
    await owner.client.groups.addMembers.mutate({ conversationId: conversation.id, userIds: ids.slice(2, 3) });
  });

  it("groups per user: the creator, an added member; leaving frees a place", async () => {
    const { owner, people } = await circle(gw, "lg_ana", ["lg_ben"]);
    const ben = people.lg_ben!;
    const g1 = (await owner.client.groups.create.mutate({ title: "One", memberIds: [ben.id] })).conversation.id;
    await owner.client.groups.create.mutate({ title: "Two", memberIds: [] }); // ana: 2 of 2
    const before = await globalCounts(gw);
    await expectAppError(owner.client.groups.create.mutate({ title: "Three", memberIds: [] }), ErrorCode.LimitExceeded);
    expect(await globalCounts(gw)).toEqual(before);

    const { owner: cy } = await circle(gw, "lg_cy", []);
    const req = await cy.client.contacts.request.mutate({ username: "lg_ben" });
    await ben.client.contacts.accept.mutate({ requestId: req.id });
    await cy.client.groups.create.mutate({ title: "Cy's", memberIds: [ben.id] }); // ben: 2 of 2
    const cyOther = (await cy.client.groups.create.mutate({ title: "Cy's other", memberIds: [] })).conversation.id;
    const err = await expectAppError(cy.client.groups.addMembers.mutate({ conversationId: cyOther, userIds: [ben.id] }), ErrorCode.LimitExceeded);
    expect(err.data.details).toEqual({ limit: 2, userIds: [ben.id] });
    await expectUnchanged(gw, cyOther, () =>
      expectAppError(cy.client.groups.addMembers.mutate({ conversationId: cyOther, userIds: [ben.id] }), ErrorCode.LimitExceeded),
    );

    await ben.client.groups.leave.mutate({ conversationId: g1 });
    await cy.client.groups.addMembers.mutate({ conversationId: cyOther, userIds: [ben.id] });
  });

  it("two groups adding the same user at once cannot both pass its limit", async () => {
    const { owner: dee, people } = await circle(gw, "lc_dee", ["lc_eve"]);
    const eve = people.lc_eve!;
    const { owner: fay } = await circle(gw, "lc_fay", []);
    const req = await fay.client.contacts.request.mutate({ username: "lc_eve" });
    await eve.client.contacts.accept.mutate({ requestId: req.id });
    await dee.client.groups.create.mutate({ title: "Eve's first", memberIds: [eve.id] }); // eve: 1 of 2
    const dG = (await dee.client.groups.create.mutate({ title: "D", memberIds: [] })).conversation.id;
    const fG = (await fay.client.groups.create.mutate({ title: "F", memberIds: [] })).conversation.id;
    const settled = await Promise.allSettled([
      dee.client.groups.addMembers.mutate({ conversationId: dG, userIds: [eve.id] }),
      fay.client.groups.addMembers.mutate({ conversationId: fG, userIds: [eve.id] }),
    ]);
    expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(1);
    const lost = settled.find((s): s is PromiseRejectedResult => s.status === "rejected")!;
    expect((lost.reason as { data?: { appCode?: string } }).data?.appCode).toBe(ErrorCode.LimitExceeded);
    const active = await gw.prisma.conversationMember.count({ where: { userId: eve.id, leftSeq: null, conversation: { kind: "group" } } });
    expect(active).toBe(2);
  });
});

describe("throttling", () => {
  const gw = useTestGateway({ groupWritesMaxPerUser: 3 });

  it("allows groupWritesMaxPerUser changes per user per window, then RATE_LIMITED changing nothing; others are not affected", async () => {
    const { owner, people } = await circle(gw, "th_ana", ["th_ben"]);
    const ben = people.th_ben!;
    const { conversation } = await owner.client.groups.create.mutate({ title: "Fast", memberIds: [ben.id] });
    await owner.client.groups.rename.mutate({ conversationId: conversation.id, title: "Faster" });
    await owner.client.groups.rename.mutate({ conversationId: conversation.id, title: "Fastest" });
    await expectUnchanged(gw, conversation.id, async () => {
      const err = await expectAppError(owner.client.groups.rename.mutate({ conversationId: conversation.id, title: "Too fast" }), ErrorCode.RateLimited);
      expect(err.data.httpStatus).toBe(429);
      expect(err.data.details?.retryAfterMs).toBeGreaterThan(0);
    });
    await ben.client.groups.leave.mutate({ conversationId: conversation.id });
  });
});
