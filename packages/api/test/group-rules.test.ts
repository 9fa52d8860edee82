/**
 * Every rule of group chat, broken on purpose through the gateway over HTTP: each gets its typed
 * error, and changes nothing — the conversation row (last_seq included), every member row and
 * the message count are re-read and compared — and nothing is announced to the nodes.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, Limits } from "@dim/shared";
import { circle, connect, expectUnchanged, globalCounts, RecordingGroupEvents } from "./group-helpers";
import { expectAppError, useTestGateway, type Client } from "./helpers";

const events = new RecordingGroupEvents();

describe("group rules", () => {
  const gw = useTestGateway({}, { groupEvents: events });
  let group: string;
  let direct: string;
  const ids: Record<string, string> = {};
  const as: Record<string, Client> = {};

  beforeAll(async () => {
    // ana owns the group; ben and gus are admins, cy a member, dee was removed; eve is ana's contact
    // outside the group, fay is no one's contact, zed is a contact of ben only.
    const { owner, people } = await circle(gw, "ru_ana", ["ru_ben", "ru_cy", "ru_dee", "ru_eve", "ru_gus"]);
    const fay = await gw.register("ru_fay");
    const zed = await gw.register("ru_zed");
    await connect(people.ru_ben!, zed, "ru_zed");
    Object.assign(ids, { ana: owner.id, fay: fay.id, zed: zed.id });
    Object.assign(as, { ana: owner.client, fay: fay.client, zed: zed.client });
    for (const [name, p] of Object.entries(people)) {
      ids[name.slice(3)] = p.id;
      as[name.slice(3)] = p.client;
    }
    const { conversation } = await owner.client.groups.create.mutate({ title: "Rules", memberIds: [ids.ben!, ids.cy!, ids.dee!, ids.gus!] });
    group = conversation.id;
    await owner.client.groups.setRole.mutate({ conversationId: group, userId: ids.ben!, role: "admin" });
    await owner.client.groups.setRole.mutate({ conversationId: group, userId: ids.gus!, role: "admin" });
    await owner.client.groups.removeMember.mutate({ conversationId: group, userId: ids.dee! });
    direct = (await owner.client.contacts.list.query()).find((c) => c.user.id === ids.eve)!.conversationId;
  });

  /** Refused with `code`; the group's rows untouched; no announcement. */
  async function refused(code: ErrorCode, call: () => Promise<unknown>) {
    const announced = events.calls.length;
    await expectUnchanged(gw, group, () => expectAppError(call(), code));
    expect(events.calls.length).toBe(announced);
  }

  it("create: bad titles, duplicates, too many ids, yourself, non-contacts, unknown ids", async () => {
    const before = await globalCounts(gw);
    const create = (input: unknown) => () => as.ana!.groups.create.mutate(input as never);
    const many = Array.from({ length: Limits.maxGroupBatch + 1 }, () => randomUUID());
    for (const [code, call] of [
      [ErrorCode.BadRequest, create({ title: "   ", memberIds: [] })],
      [ErrorCode.BadRequest, create({ title: "t".repeat(Limits.groupTitleMax + 1), memberIds: [] })],
      [ErrorCode.BadRequest, create({ title: "Dup", memberIds: [ids.eve, ids.eve] })],
      [ErrorCode.BadRequest, create({ title: "Dup case", memberIds: [ids.eve, ids.eve!.toUpperCase()] })],
      [ErrorCode.BadRequest, create({ title: "Many", memberIds: many })],
      [ErrorCode.BadRequest, create({ title: "Me", memberIds: [ids.ana] })],
      [ErrorCode.BadRequest, create({ title: "Junk", memberIds: ["not-a-uuid"] })],
      [ErrorCode.BadRequest, create({ title: "Extra", memberIds: [], avatar: "x" })],
      [ErrorCode.Forbidden, create({ title: "Stranger", memberIds: [ids.eve, ids.fay] })],
      [ErrorCode.Forbidden, create({ title: "Unknown", memberIds: [randomUUID()] })],
    ] as const) {
      await refused(code, call);
    }
    const err = await expectAppError(create({ title: "Stranger", memberIds: [ids.fay] })(), ErrorCode.Forbidden);
    expect(err.data.details).toEqual({ userIds: [ids.fay] });
    expect(await globalCounts(gw)).toEqual(before);
    await expectAppError(gw.anon.groups.create.mutate({ title: "Anon", memberIds: [] }), ErrorCode.Unauthorized);
  });

  it("addMembers: only owner and admins, only your contacts, never an active member, whole call refused", async () => {
    const add = (who: string, userIds: unknown, conversationId = group) => () =>
      as[who]!.groups.addMembers.mutate({ conversationId, userIds } as never);
    await refused(ErrorCode.Forbidden, add("cy", [ids.eve])); // a plain member
    await refused(ErrorCode.Forbidden, add("dee", [ids.eve])); // a former member
    await refused(ErrorCode.Forbidden, add("eve", [ids.fay])); // never a member
    await refused(ErrorCode.Forbidden, add("ana", [ids.eve], randomUUID())); // no such conversation
    await refused(ErrorCode.Forbidden, add("ana", [ids.ben], direct)); // a direct conversation
    await refused(ErrorCode.Conflict, add("ana", [ids.eve, ids.cy])); // cy is active
    await refused(ErrorCode.Conflict, add("ana", [ids.ana])); // yourself
    await refused(ErrorCode.Forbidden, add("ana", [ids.eve, ids.fay])); // fay is not ana's contact: eve is not added either
    await refused(ErrorCode.Forbidden, add("ana", [ids.zed])); // zed is ben's contact, not ana's
    await refused(ErrorCode.Forbidden, add("ana", [randomUUID()]));
    await refused(ErrorCode.BadRequest, add("ana", []));
    await refused(ErrorCode.BadRequest, add("ana", [ids.eve, ids.eve]));
    await refused(ErrorCode.BadRequest, add("ana", Array.from({ length: Limits.maxGroupBatch + 1 }, () => randomUUID())));
    const conflict = await expectAppError(add("ana", [ids.eve, ids.cy])(), ErrorCode.Conflict);
    expect(conflict.data.details).toEqual({ userIds: [ids.cy] });
  });

  it("removeMember: nobody removes the owner, admins only plain members, yourself is BAD_REQUEST", async () => {
    const remove = (who: string, userId: string, conversationId = group) => () =>
      as[who]!.groups.removeMember.mutate({ conversationId, userId });
    await refused(ErrorCode.Forbidden, remove("cy", ids.gus!)); // a plain member removes no one
    await refused(ErrorCode.Forbidden, remove("cy", ids.ben!));
    await refused(ErrorCode.Forbidden, remove("ben", ids.ana!)); // nobody removes the owner
    await refused(ErrorCode.Forbidden, remove("ben", ids.gus!)); // an admin removes plain members only
    await refused(ErrorCode.Forbidden, remove("dee", ids.cy!)); // a former member
    await refused(ErrorCode.Forbidden, remove("eve", ids.cy!));
    await refused(ErrorCode.BadRequest, remove("ana", ids.ana!)); // use leave
    await refused(ErrorCode.BadRequest, remove("ben", ids.ben!));
    await refused(ErrorCode.NotFound, remove("ana", ids.dee!)); // not active any more
    await refused(ErrorCode.NotFound, remove("ana", ids.eve!));
    await refused(ErrorCode.NotFound, remove("ana", randomUUID()));
    await refused(ErrorCode.Forbidden, remove("ana", ids.ben!, randomUUID()));
  });

  it("leave: the owner not while others remain; not twice; not from outside", async () => {
    const leave = (who: string, conversationId = group) => () => as[who]!.groups.leave.mutate({ conversationId });
    const err = await expectAppError(leave("ana")(), ErrorCode.Conflict);
    expect(err.message).toMatch(/transfer ownership first/);
    await refused(ErrorCode.Conflict, leave("ana"));
    await refused(ErrorCode.Forbidden, leave("dee"));
    await refused(ErrorCode.Forbidden, leave("eve"));
    await refused(ErrorCode.Forbidden, leave("eve", direct));
    await refused(ErrorCode.BadRequest, () => as.cy!.groups.leave.mutate({ conversationId: "nope" }));
  });

  it("rename: owner and admins; 1 to 64 characters after trim; not to the same title", async () => {
    const rename = (who: string, title: string) => () => as[who]!.groups.rename.mutate({ conversationId: group, title });
    await refused(ErrorCode.Forbidden, rename("cy", "Mine now"));
    await refused(ErrorCode.Forbidden, rename("dee", "Mine now"));
    await refused(ErrorCode.Conflict, rename("ben", "Rules"));
    await refused(ErrorCode.Conflict, rename("ana", "  Rules  "));
    await refused(ErrorCode.BadRequest, rename("ana", " \t "));
    await refused(ErrorCode.BadRequest, rename("ana", "x".repeat(Limits.groupTitleMax + 1)));
  });

  it("setRole and transferOwnership: owner only, an active other member, no no-op", async () => {
    const setRole = (who: string, userId: string, role: string) => () =>
      as[who]!.groups.setRole.mutate({ conversationId: group, userId, role } as never);
    const transfer = (who: string, userId: string) => () => as[who]!.groups.transferOwnership.mutate({ conversationId: group, userId });
    await refused(ErrorCode.Forbidden, setRole("ben", ids.cy!, "admin")); // admins do not grant roles
    await refused(ErrorCode.Forbidden, setRole("cy", ids.cy!, "admin")); // nor does anyone for themselves...
    await refused(ErrorCode.BadRequest, setRole("ana", ids.ana!, "member")); // ...and the owner's own role moves only by transfer
    await refused(ErrorCode.Conflict, setRole("ana", ids.ben!, "admin"));
    await refused(ErrorCode.Conflict, setRole("ana", ids.cy!, "member"));
    await refused(ErrorCode.NotFound, setRole("ana", ids.dee!, "admin"));
    await refused(ErrorCode.NotFound, setRole("ana", ids.eve!, "admin"));
    await refused(ErrorCode.BadRequest, setRole("ana", ids.cy!, "owner"));
    await refused(ErrorCode.Forbidden, transfer("ben", ids.cy!));
    await refused(ErrorCode.Forbidden, transfer("dee", ids.cy!));
    await refused(ErrorCode.BadRequest, transfer("ana", ids.ana!));
    await refused(ErrorCode.NotFound, transfer("ana", ids.dee!));
    await refused(ErrorCode.NotFound, transfer("ana", randomUUID()));
  });

  it("reads: members and readers for active members only", async () => {
    await refused(ErrorCode.Forbidden, () => as.dee!.groups.members.query({ conversationId: group }));
    await refused(ErrorCode.Forbidden, () => as.eve!.groups.members.query({ conversationId: group }));
    await refused(ErrorCode.Forbidden, () => as.ana!.groups.members.query({ conversationId: randomUUID() }));
    await refused(ErrorCode.BadRequest, () => as.ana!.groups.members.query({ conversationId: group, limit: Limits.maxMembersPage + 1 }));
    await refused(ErrorCode.Forbidden, () => as.eve!.conversations.readers.query({ conversationId: group, seq: 1 }));
    await refused(ErrorCode.Forbidden, () => as.dee!.conversations.readers.query({ conversationId: group, seq: 1 }));
    // A former member still reads its own history (up to its removal).
    const history = await as.dee!.conversations.history.query({ conversationId: group, afterSeq: 0 });
    expect(history.messages.at(-1)?.system).toEqual({ type: "member.removed", userId: ids.dee });
  });

  it("an admin adds its own contacts (the adder's contact relation is what counts)", async () => {
    const before = events.calls.length;
    expect(await as.ben!.groups.addMembers.mutate({ conversationId: group, userIds: [ids.zed!] })).toMatchObject({ added: [ids.zed] });
    expect(events.calls.length).toBe(before + 1);
  });
});
