/**
 * Group chat through the gateway over HTTP, on a real PostgreSQL: each change appends its system
 * message in the seq stream, changes the rows, shows in conversations.list / groups.members /
 * history exactly as the member's window allows, and is announced once after it commits.
 */
import { describe, expect, it } from "vitest";
import { conversationSummary, ErrorCode, messageSchema } from "@dim/shared";
import { circle, RecordingGroupEvents } from "./group-helpers";
import { expectAppError, send, useTestGateway } from "./helpers";

const events = new RecordingGroupEvents();

describe("groups", () => {
  const gw = useTestGateway({}, { groupEvents: events });

  it("create: the creator owns it, seq 1 is group.created, every member sees it listed", async () => {
    const { owner, people } = await circle(gw, "gc_ana", ["gc_ben", "gc_cy"]);
    const ben = people.gc_ben!;
    const cy = people.gc_cy!;
    const { conversation } = await owner.client.groups.create.mutate({ title: "  Trip  ", memberIds: [ben.id, cy.id] });
    expect(conversationSummary.safeParse(conversation).success).toBe(true);
    expect(conversation).toMatchObject({
      kind: "group",
      title: "Trip",
      peer: null,
      lastSeq: 1,
      memberCount: 3,
      myRole: "owner",
      membership: "active",
      avatarAttachmentId: null,
      unreadCount: 0,
      lastMessage: { seq: 1, kind: "system", body: "", senderId: owner.id, system: { type: "group.created", title: "Trip", memberIds: [ben.id, cy.id] } },
    });
    expect(conversation.lastMessage!.clientMsgId).toMatch(/^sys-[0-9a-f]{32}$/);
    expect(messageSchema.safeParse(conversation.lastMessage).success).toBe(true);

    const benView = (await ben.client.conversations.list.query()).find((c) => c.id === conversation.id);
    expect(benView).toMatchObject({ title: "Trip", memberCount: 3, myRole: "member", membership: "active", unreadCount: 1 });
    const row = await gw.prisma.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    expect(row).toMatchObject({ createdBy: owner.id, lastSeq: 1n, membershipSeq: 1n });

    expect(events.of(conversation.id)).toEqual([
      {
        conversationId: conversation.id,
        kind: "group",
        membershipSeq: 1,
        systemMessage: conversation.lastMessage,
        added: [owner.id, ben.id, cy.id],
        changed: [],
        removed: [],
      },
    ]);
  });

  it("a group with no one else, then members added later see history from their join", async () => {
    const { owner, people } = await circle(gw, "gl_ana", ["gl_ben"]);
    const ben = people.gl_ben!;
    const { conversation } = await owner.client.groups.create.mutate({ title: "Solo", memberIds: [] });
    await send(gw, owner.id, conversation.id, "before ben");
    const added = await owner.client.groups.addMembers.mutate({ conversationId: conversation.id, userIds: [ben.id] });
    expect(added).toEqual({ seq: 3, added: [ben.id] });
    await send(gw, ben.id, conversation.id, "hi all");

    const history = await ben.client.conversations.history.query({ conversationId: conversation.id, afterSeq: 0 });
    expect(history.messages.map((m) => m.seq)).toEqual([3, 4]);
    expect(history.messages[0]!.system).toEqual({ type: "members.added", userIds: [ben.id] });
    expect((await ben.client.conversations.history.query({ conversationId: conversation.id })).messages.map((m) => m.seq)).toEqual([3, 4]);
    const benView = (await ben.client.conversations.list.query()).find((c) => c.id === conversation.id)!;
    expect(benView).toMatchObject({ unreadCount: 1, readSeq: 2, deliveredSeq: 2, memberCount: 2 });

    const [, addCall] = events.of(conversation.id);
    expect(addCall).toMatchObject({ membershipSeq: 3, added: [ben.id], changed: [owner.id], removed: [] });
  });

  it("remove: the removed member sees its removal and nothing after, cannot send, and keeps the group listed as removed", async () => {
    const { owner, people } = await circle(gw, "gr_ana", ["gr_ben", "gr_cy"]);
    const [ben, cy] = [people.gr_ben!, people.gr_cy!];
    const { conversation } = await owner.client.groups.create.mutate({ title: "Team", memberIds: [ben.id, cy.id] });
    const id = conversation.id;
    await send(gw, ben.id, id, "ben was here");
    const { seq } = await owner.client.groups.removeMember.mutate({ conversationId: id, userId: ben.id });
    expect(seq).toBe(3);
    await send(gw, cy.id, id, "after ben");

    const history = await ben.client.conversations.history.query({ conversationId: id, afterSeq: 0 });
    expect(history.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(history.lastSeq).toBe(3);
    expect(history.messages[2]!.system).toEqual({ type: "member.removed", userId: ben.id });
    const benView = (await ben.client.conversations.list.query()).find((c) => c.id === id)!;
    expect(benView).toMatchObject({ membership: "removed", myRole: null, lastSeq: 3, memberCount: 2, lastMessage: { seq: 3 } });
    expect(benView.unreadCount).toBe(2); // seq 1 (created) and 3 (removal), not cy's seq 4
    const refused = await gw.store
      .append({ senderId: ben.id, conversationId: id, clientMsgId: "removed-send-01", kind: "text", body: "hello?" })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: ErrorCode.Forbidden });
    expect((await ben.client.conversations.markRead.mutate({ conversationId: id, seq: 99 })).readSeq).toBe(3);
    await expectAppError(ben.client.groups.members.query({ conversationId: id }), ErrorCode.Forbidden);

    const row = await gw.prisma.conversationMember.findUniqueOrThrow({ where: { conversationId_userId: { conversationId: id, userId: ben.id } } });
    expect(row).toMatchObject({ leftSeq: 3n, leftReason: "removed", removedBy: owner.id });
    expect(row.leftAt).toBeInstanceOf(Date);
    expect(events.of(id).at(-1)).toMatchObject({ membershipSeq: 3, added: [], removed: [ben.id] });
    expect(events.of(id).at(-1)!.changed.sort()).toEqual([owner.id, cy.id].sort());
  });

  it("re-adding a former member opens a new window: the earlier span becomes invisible to it", async () => {
    const { owner, people } = await circle(gw, "ga_ana", ["ga_ben"]);
    const ben = people.ga_ben!;
    const { conversation } = await owner.client.groups.create.mutate({ title: "Again", memberIds: [ben.id] });
    const id = conversation.id;
    await send(gw, ben.id, id, "first stay"); // 2
    await ben.client.groups.leave.mutate({ conversationId: id }); // 3
    await send(gw, owner.id, id, "while away"); // 4
    const { seq } = await owner.client.groups.addMembers.mutate({ conversationId: id, userIds: [ben.id] }); // 5
    expect(seq).toBe(5);
    const history = await ben.client.conversations.history.query({ conversationId: id, afterSeq: 0 });
    expect(history.messages.map((m) => m.seq)).toEqual([5]);
    const row = await gw.prisma.conversationMember.findUniqueOrThrow({ where: { conversationId_userId: { conversationId: id, userId: ben.id } } });
    expect(row).toMatchObject({ joinedSeq: 5n, leftSeq: null, leftAt: null, leftReason: null, removedBy: null, role: "member" });
    expect((await ben.client.conversations.list.query()).find((c) => c.id === id)).toMatchObject({ membership: "active", myRole: "member" });
  });

  it("leave: recorded as left; the owner may leave when alone, and the group then has no members", async () => {
    const { owner, people } = await circle(gw, "gv_ana", ["gv_ben"]);
    const ben = people.gv_ben!;
    const { conversation } = await owner.client.groups.create.mutate({ title: "Leaving", memberIds: [ben.id] });
    const id = conversation.id;
    expect(await ben.client.groups.leave.mutate({ conversationId: id })).toEqual({ seq: 2 });
    expect((await ben.client.conversations.list.query()).find((c) => c.id === id)).toMatchObject({ membership: "left", lastMessage: { system: { type: "member.left" }, senderId: ben.id } });
    expect(events.of(id).at(-1)).toMatchObject({ membershipSeq: 2, added: [], changed: [owner.id], removed: [ben.id] });
    expect(await owner.client.groups.leave.mutate({ conversationId: id })).toEqual({ seq: 3 });
    expect(await gw.store.members(id)).toEqual([]);
    expect(events.of(id).at(-1)).toMatchObject({ membershipSeq: 3, changed: [], removed: [owner.id] });
  });

  it("rename, setRole and transferOwnership: system messages, roles, announced to every active member", async () => {
    const { owner, people } = await circle(gw, "gt_ana", ["gt_ben", "gt_cy"]);
    const [ben, cy] = [people.gt_ben!, people.gt_cy!];
    const { conversation } = await owner.client.groups.create.mutate({ title: "Old", memberIds: [ben.id, cy.id] });
    const id = conversation.id;
    expect(await owner.client.groups.rename.mutate({ conversationId: id, title: "New" })).toEqual({ seq: 2 });
    expect(await owner.client.groups.setRole.mutate({ conversationId: id, userId: ben.id, role: "admin" })).toEqual({ seq: 3 });
    expect(await ben.client.groups.rename.mutate({ conversationId: id, title: "Newer" })).toEqual({ seq: 4 });
    expect(await owner.client.groups.transferOwnership.mutate({ conversationId: id, userId: cy.id })).toEqual({ seq: 5 });

    const events5 = (await cy.client.conversations.history.query({ conversationId: id, afterSeq: 1 })).messages.map((m) => [m.senderId, m.system]);
    expect(events5).toEqual([
      [owner.id, { type: "group.renamed", title: "New" }],
      [owner.id, { type: "role.changed", userId: ben.id, role: "admin" }],
      [ben.id, { type: "group.renamed", title: "Newer" }],
      [owner.id, { type: "owner.transferred", userId: cy.id }],
    ]);
    const roles = Object.fromEntries((await cy.client.groups.members.query({ conversationId: id })).members.map((m) => [m.user.username, m.role]));
    expect(roles).toEqual({ gt_ana: "admin", gt_ben: "admin", gt_cy: "owner" });
    expect((await ben.client.conversations.list.query()).find((c) => c.id === id)).toMatchObject({ title: "Newer", myRole: "admin" });
    const row = await gw.prisma.conversation.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ title: "Newer", lastSeq: 5n, membershipSeq: 1n });
    for (const call of events.of(id).slice(1)) {
      expect(call).toMatchObject({ membershipSeq: 1, added: [], removed: [] });
      expect(call.changed.sort()).toEqual([owner.id, ben.id, cy.id].sort());
    }
  });

  it("members: owner, admins, then members by join; paged by an opaque cursor", async () => {
    const names = ["gm_b1", "gm_b2", "gm_b3", "gm_b4", "gm_b5"];
    const { owner, people } = await circle(gw, "gm_ana", names);
    const ids = names.map((n) => people[n]!.id);
    const { conversation } = await owner.client.groups.create.mutate({ title: "Paging", memberIds: ids.slice(0, 3) });
    const id = conversation.id;
    await owner.client.groups.addMembers.mutate({ conversationId: id, userIds: ids.slice(3) });
    await owner.client.groups.setRole.mutate({ conversationId: id, userId: ids[4]!, role: "admin" });

    const first = await people.gm_b1!.client.groups.members.query({ conversationId: id, limit: 4 });
    expect(first.total).toBe(6);
    expect(first.nextCursor).not.toBeNull();
    const second = await people.gm_b1!.client.groups.members.query({ conversationId: id, limit: 4, cursor: first.nextCursor! });
    expect(second.nextCursor).toBeNull();
    const all = [...first.members, ...second.members];
    expect(all.map((m) => m.role)).toEqual(["owner", "admin", "member", "member", "member", "member"]);
    expect(all[1]!.user.id).toBe(ids[4]);
    expect(all.slice(2).map((m) => m.joinedSeq)).toEqual([1, 1, 1, 2]);
    const sortedFirstThree = ids.slice(0, 3).sort();
    expect(all.slice(2, 5).map((m) => m.user.id)).toEqual(sortedFirstThree);
    await expectAppError(people.gm_b1!.client.groups.members.query({ conversationId: id, cursor: "not-a-cursor" }), ErrorCode.BadRequest);
  });

  it("readers: who read a message, of the members who had joined by then, sender excluded; works for direct too", async () => {
    const { owner, people } = await circle(gw, "gd_ana", ["gd_ben", "gd_cy", "gd_dee"]);
    const [ben, cy, dee] = [people.gd_ben!, people.gd_cy!, people.gd_dee!];
    const { conversation } = await owner.client.groups.create.mutate({ title: "Read", memberIds: [ben.id, cy.id] });
    const id = conversation.id;
    const msg = await send(gw, owner.id, id, "did you read this?"); // 2
    await ben.client.conversations.markRead.mutate({ conversationId: id, seq: 2 });
    await owner.client.groups.addMembers.mutate({ conversationId: id, userIds: [dee.id] }); // 3: dee's read cursor starts at 2

    const readers = await cy.client.conversations.readers.query({ conversationId: id, seq: msg.seq });
    expect(readers).toMatchObject({ readCount: 1, memberCount: 2, nextCursor: null });
    expect(readers.readers.map((r) => [r.user.username, r.readSeq])).toEqual([["gd_ben", 2]]);
    await cy.client.conversations.markRead.mutate({ conversationId: id, seq: 3 });
    const paged = await owner.client.conversations.readers.query({ conversationId: id, seq: 2, limit: 1 });
    expect(paged.readers.map((r) => r.user.username)).toEqual(["gd_ben"]);
    const rest = await owner.client.conversations.readers.query({ conversationId: id, seq: 2, limit: 1, cursor: paged.nextCursor! });
    expect(rest.readers.map((r) => r.user.username)).toEqual(["gd_cy"]);
    expect(rest).toMatchObject({ readCount: 2, memberCount: 2, nextCursor: null });

    await expectAppError(dee.client.conversations.readers.query({ conversationId: id, seq: 2 }), ErrorCode.NotFound);
    await expectAppError(cy.client.conversations.readers.query({ conversationId: id, seq: 99 }), ErrorCode.NotFound);
    await expectAppError(dee.client.conversations.readers.query({ conversationId: id, seq: 0 }), ErrorCode.BadRequest);

    const direct = (await owner.client.contacts.list.query()).find((c) => c.user.id === ben.id)!.conversationId;
    const dm = await send(gw, owner.id, direct, "dm");
    expect((await owner.client.conversations.readers.query({ conversationId: direct, seq: dm.seq })).memberCount).toBe(1);
  });

  it("contacts.accept announces the new direct conversation to both users, once", async () => {
    const A = await gw.register("gy_ana");
    const B = await gw.register("gy_ben");
    const req = await A.client.contacts.request.mutate({ username: "gy_ben" });
    const { contact } = await B.client.contacts.accept.mutate({ requestId: req.id });
    await B.client.contacts.accept.mutate({ requestId: req.id }); // idempotent: nothing new to announce
    expect(events.of(contact.conversationId)).toEqual([
      { conversationId: contact.conversationId, kind: "direct", membershipSeq: 0, systemMessage: null, added: [B.id, A.id], changed: [], removed: [] },
    ]);
    // Crossing requests accept too.
    const C = await gw.register("gy_cy");
    await C.client.contacts.request.mutate({ username: "gy_ana" });
    const crossed = await A.client.contacts.request.mutate({ username: "gy_cy" });
    expect(crossed.status).toBe("accepted");
    const conv = (await A.client.contacts.list.query()).find((c) => c.user.id === C.id)!.conversationId;
    expect(events.of(conv)).toMatchObject([{ kind: "direct", added: [A.id, C.id] }]);
  });

  it("direct conversations list as before, with their new fields", async () => {
    const { owner, people } = await circle(gw, "gx_ana", ["gx_ben"]);
    const [direct] = (await owner.client.conversations.list.query()).filter((c) => c.peer?.id === people.gx_ben!.id);
    expect(direct).toMatchObject({ kind: "direct", title: "gx_ben", memberCount: 2, myRole: null, membership: "active", avatarAttachmentId: null });
  });
});
