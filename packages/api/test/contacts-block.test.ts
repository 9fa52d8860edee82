/**
 * contacts.block / unblock / blocked / remove at the gateway, and what it tells the nodes
 * (ContactEvents, recorded): bad inputs get typed errors and change nothing; a blocked user's
 * request is refused with the very bytes a request to a disabled account gets; pushes go to the
 * right users (never to the blocked one about the block); profile changes reach contacts but not
 * across a block; the direct conversation's nodes are told when it opens or closes.
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "@dim/shared";
import type { ContactEvents, ContactPush } from "../src/contacts/contact-events";
import { befriend, expectAppError, useTestGateway, type TestGateway } from "./helpers";

const pushes: ContactPush[] = [];
const directChanged: string[] = [];
const events: ContactEvents = {
  async push(p) {
    pushes.push(...p);
  },
  async directChanged(conversationId) {
    directChanged.push(conversationId);
  },
};
const taken = () => pushes.splice(0).map((p) => ({ to: p.to, event: p.event, user: p.user.id }));

/** contacts.request over raw HTTP: status and body text, byte for byte. */
async function rawRequest(gw: TestGateway, token: string, username: string) {
  const res = await gw.fetch("contacts.request", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ username }),
  });
  return { status: res.status, body: await res.text() };
}

describe("blocking and removing at the gateway", () => {
  const gw = useTestGateway({}, { contactEvents: events });

  it("bad inputs: yourself, unknown, deleted, not a uuid — typed errors, nothing changes; twice is idempotent", async () => {
    const me = await gw.register("blk_me");
    const gone = await gw.register("blk_gone");
    await gone.client.account.delete.mutate({ password: "password-1234" });
    pushes.length = 0;
    await expectAppError(me.client.contacts.block.mutate({ userId: me.id }), ErrorCode.BadRequest);
    await expectAppError(me.client.contacts.unblock.mutate({ userId: me.id }), ErrorCode.BadRequest);
    await expectAppError(me.client.contacts.remove.mutate({ userId: me.id }), ErrorCode.BadRequest);
    await expectAppError(me.client.contacts.block.mutate({ userId: "00000000-0000-4000-8000-000000000000" }), ErrorCode.NotFound);
    await expectAppError(me.client.contacts.block.mutate({ userId: gone.id }), ErrorCode.NotFound);
    await expectAppError(me.client.contacts.block.mutate({ userId: "nope" }), ErrorCode.BadRequest);
    await expectAppError(me.client.contacts.block.mutate({ userId: me.id, extra: 1 } as never), ErrorCode.BadRequest);
    await expectAppError(gw.anon.contacts.block.mutate({ userId: me.id }), ErrorCode.Unauthorized);
    await expectAppError(gw.anon.contacts.blocked.query(), ErrorCode.Unauthorized);
    expect(await me.client.contacts.blocked.query()).toEqual([]);
    expect(await gw.prisma.userBlock.count()).toBe(0);
    expect(taken()).toEqual([]);

    const other = await gw.register("blk_other");
    await me.client.contacts.block.mutate({ userId: other.id });
    await me.client.contacts.block.mutate({ userId: other.id });
    expect((await me.client.contacts.blocked.query()).map((b) => b.user.username)).toEqual(["blk_other"]);
    expect(taken()).toEqual([{ to: [me.id], event: "blocked", user: other.id }]); // once
    await me.client.contacts.unblock.mutate({ userId: other.id });
    await me.client.contacts.unblock.mutate({ userId: other.id });
    expect(taken()).toEqual([{ to: [me.id], event: "unblocked", user: other.id }]);
    // removing someone who is not a contact: nothing
    await me.client.contacts.remove.mutate({ userId: other.id });
    expect(taken()).toEqual([]);
  });

  it("a blocked user's request: byte for byte a disabled account's refusal; pending requests end silently", async () => {
    const ann = await gw.register("blk_ann");
    const ben = await gw.register("blk_ben");
    const dan = await gw.register("blk_dan");
    await gw.prisma.user.update({ where: { id: dan.id }, data: { disabledAt: new Date() } });
    await ben.client.contacts.request.mutate({ username: "blk_ann" });
    pushes.length = 0;
    await ann.client.contacts.block.mutate({ userId: ben.id });
    expect((await ann.client.contacts.requests.query()).incoming).toEqual([]);
    expect((await ben.client.contacts.requests.query()).outgoing).toEqual([]);
    expect(taken()).toEqual([{ to: [ann.id], event: "blocked", user: ben.id }]);

    const blocked = await rawRequest(gw, ben.session.sessionToken, "blk_ann");
    const disabled = await rawRequest(gw, ben.session.sessionToken, "blk_dan");
    expect(blocked.status).toBe(403);
    expect(blocked.body).toBe(disabled.body.replace("blk_dan", "blk_ann"));
    expect(blocked.body).not.toContain("block");
    expect(JSON.parse(blocked.body)).toMatchObject({ error: { data: { appCode: ErrorCode.Forbidden } } });
    // the blocker asking the blocked: CONFLICT (she knows)
    await expectAppError(ann.client.contacts.request.mutate({ username: "blk_ben" }), ErrorCode.Conflict);
    expect(taken()).toEqual([]);
  });

  it("pushes: request, decline, accept, remove to both; profile to contacts but not across a block; nodes told of open/closed", async () => {
    const { A, B, conversationId } = await befriend(gw, "blk_amy", "blk_bo");
    expect(taken()).toEqual([
      { to: [B.id], event: "request", user: A.id },
      { to: [A.id], event: "request", user: B.id },
      { to: [A.id], event: "accepted", user: B.id },
      { to: [B.id], event: "accepted", user: A.id },
    ]);
    expect(directChanged.splice(0)).toEqual([]); // a new conversation: nothing cached anywhere

    await B.client.account.updateProfile.mutate({ statusText: "hi" });
    expect(taken()).toEqual([{ to: [B.id, A.id], event: "profile", user: B.id }]);
    await A.client.contacts.block.mutate({ userId: B.id });
    expect(directChanged.splice(0)).toEqual([conversationId]);
    taken();
    await B.client.account.updateProfile.mutate({ statusText: "still hi" });
    expect(taken()).toEqual([{ to: [B.id], event: "profile", user: B.id }]);
    await A.client.contacts.unblock.mutate({ userId: B.id });
    expect(directChanged.splice(0)).toEqual([conversationId]);
    taken();

    await B.client.contacts.remove.mutate({ userId: A.id });
    expect(taken()).toEqual([
      { to: [B.id], event: "removed", user: A.id },
      { to: [A.id], event: "removed", user: B.id },
    ]);
    expect(directChanged.splice(0)).toEqual([conversationId]);
    expect(await A.client.contacts.list.query()).toEqual([]);
    // history stays readable by both
    expect((await A.client.conversations.history.query({ conversationId })).messages).toEqual([]);

    const again = await A.client.contacts.request.mutate({ username: "blk_bo" });
    const declinedFirst = await B.client.contacts.decline.mutate({ requestId: again.id });
    expect(declinedFirst).toEqual({ ok: true });
    expect(taken().map((p) => p.event)).toEqual(["request", "request", "declined", "declined"]);
    const third = await A.client.contacts.request.mutate({ username: "blk_bo" });
    const { contact } = await B.client.contacts.accept.mutate({ requestId: third.id });
    expect(contact.conversationId).toBe(conversationId); // the same conversation, writable again
    expect(directChanged.splice(0)).toEqual([conversationId]);
  });
});
