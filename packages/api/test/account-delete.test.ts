/**
 * account.delete on a real gateway: the password is required; messages stay under "Deleted user";
 * the username is freed; sessions end; contacts and requests go; a group the user owned passes to
 * its longest-standing admin (else member); a group where it was alone is simply left.
 */
import { describe, expect, it } from "vitest";
import { befriend, expectAppError, PASSWORD, send, useTestGateway } from "./helpers";

const gw = useTestGateway();

describe("account.delete", () => {
  it("a wrong password: INVALID_CREDENTIALS, and nothing changes", async () => {
    const { A } = await befriend(gw, "del_keep", "del_keep_peer");
    await expectAppError(A.client.account.delete.mutate({ password: "not-the-password" }), "INVALID_CREDENTIALS");
    await expectAppError(A.client.account.delete.mutate({ password: "" }), "BAD_REQUEST");
    expect((await A.client.auth.me.query()).username).toBe("del_keep");
    expect(await A.client.contacts.list.query()).toHaveLength(1);
  });

  it("keeps the messages as 'Deleted user', frees the username, ends the sessions, removes contacts", async () => {
    const { A, B, conversationId } = await befriend(gw, "del_me", "del_peer");
    const other = await gw.anon.auth.login.mutate({ username: "del_me", password: PASSWORD });
    await send(gw, A.id, conversationId, "hello before I go");
    const pending = await gw.register("del_pending");
    await pending.client.contacts.request.mutate({ username: "del_me" });

    expect(await A.client.account.delete.mutate({ password: PASSWORD })).toEqual({ ok: true });

    await expectAppError(A.client.auth.me.query(), "UNAUTHORIZED");
    await expectAppError(gw.client(other.sessionToken).auth.me.query(), "UNAUTHORIZED");
    await expectAppError(gw.anon.auth.login.mutate({ username: "del_me", password: PASSWORD }), "INVALID_CREDENTIALS");
    expect(await B.client.contacts.list.query()).toEqual([]);
    expect(await pending.client.contacts.requests.query()).toMatchObject({ outgoing: [] });
    // B still reads the conversation; its peer is "Deleted user".
    const [conv] = await B.client.conversations.list.query();
    expect(conv?.peer).toMatchObject({ id: A.id, displayName: "Deleted user", statusText: "", avatarUrl: null });
    expect(conv?.peer?.username).toMatch(/^deleted_[0-9a-f]{24}$/);
    const history = await B.client.conversations.history.query({ conversationId });
    expect(history.messages.map((m) => m.body)).toContain("hello before I go");
    expect(await B.client.users.search.query({ query: "del_me" })).toEqual([]);
    // The username is free again.
    const again = await gw.register("del_me");
    expect(again.id).not.toBe(A.id);
  });

  it("an owned group passes to the longest-standing admin; a group it was alone in is left", async () => {
    const { A: owner, B: admin } = await befriend(gw, "del_owner", "del_admin");
    const member = await gw.register("del_member");
    const req = await owner.client.contacts.request.mutate({ username: "del_member" });
    await member.client.contacts.accept.mutate({ requestId: req.id });
    // member joins before admin, but an admin comes first.
    const { conversation } = await owner.client.groups.create.mutate({ title: "handover", memberIds: [member.id, admin.id] });
    await owner.client.groups.setRole.mutate({ conversationId: conversation.id, userId: admin.id, role: "admin" });
    const alone = await owner.client.groups.create.mutate({ title: "solo", memberIds: [] });

    await owner.client.account.delete.mutate({ password: PASSWORD });

    const { members } = await admin.client.groups.members.query({ conversationId: conversation.id });
    expect(members.map((m) => [m.user.username, m.role]).sort()).toEqual([
      ["del_admin", "owner"],
      ["del_member", "member"],
    ]);
    const rows = await gw.prisma.conversationMember.findMany({
      where: { userId: owner.id, conversation: { kind: "group" } },
      select: { conversationId: true, leftSeq: true },
    });
    expect(rows.map((r) => r.conversationId).sort()).toEqual([conversation.id, alone.conversation.id].sort());
    expect(rows.every((r) => r.leftSeq !== null)).toBe(true);
  });

  it("without an admin, the longest-standing member takes over", async () => {
    const { A: owner, B: first } = await befriend(gw, "del_owner2", "del_first");
    const second = await gw.register("del_second");
    const req = await owner.client.contacts.request.mutate({ username: "del_second" });
    await second.client.contacts.accept.mutate({ requestId: req.id });
    const { conversation } = await owner.client.groups.create.mutate({ title: "members only", memberIds: [first.id] });
    await owner.client.groups.addMembers.mutate({ conversationId: conversation.id, userIds: [second.id] });
    await owner.client.account.delete.mutate({ password: PASSWORD });
    const { members } = await first.client.groups.members.query({ conversationId: conversation.id });
    expect(members.find((m) => m.role === "owner")?.user.id).toBe(first.id);
  });
});
