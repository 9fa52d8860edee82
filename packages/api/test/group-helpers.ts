/**
 * Helpers for the group tests: users who are contacts of an owner (through the procedures, or in
 * bulk through SQL for the 1,000-member group), a recording GroupEvents, and a snapshot of every
 * row a group change could touch, to prove a refused call changed nothing.
 */
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { GroupChange, GroupEvents } from "../src/groups/group-events";
import type { Client, TestGateway } from "./helpers";

/** Registers `owner` and `others`, each a contact of `owner` (through contacts.request/accept). */
export async function circle(gw: TestGateway, owner: string, others: string[]) {
  const O = await gw.register(owner);
  const people: Record<string, { id: string; client: Client }> = {};
  for (const name of others) {
    const P = await gw.register(name);
    const req = await O.client.contacts.request.mutate({ username: name });
    await P.client.contacts.accept.mutate({ requestId: req.id });
    people[name] = { id: P.id, client: P.client };
  }
  return { owner: O, people };
}

/** Makes `a` and `b` contacts (both registered already). */
export async function connect(a: { client: Client }, b: { client: Client }, bName: string) {
  const req = await a.client.contacts.request.mutate({ username: bName });
  await b.client.contacts.accept.mutate({ requestId: req.id });
}

/** `n` users created in SQL, each a contact of `ownerId` with a direct conversation, for size tests. */
export async function bulkContacts(gw: TestGateway, ownerId: string, n: number, tag: string): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  await gw.prisma.$executeRaw`
    INSERT INTO users (id, username, password_hash, display_name)
    SELECT id, ${tag} || '_' || ord, 'not-a-hash', 'User ' || ord FROM unnest(${ids}::uuid[]) WITH ORDINALITY AS t(id, ord)`;
  await gw.prisma.$executeRaw`
    WITH pairs AS (SELECT id AS peer, gen_random_uuid() AS conv FROM unnest(${ids}::uuid[]) AS id),
    convs AS (
      INSERT INTO conversations (id, kind, direct_key)
      SELECT conv, 'direct', LEAST(${ownerId}::uuid, peer)::text || ':' || GREATEST(${ownerId}::uuid, peer)::text FROM pairs
    ),
    members AS (
      INSERT INTO conversation_members (conversation_id, user_id)
      SELECT conv, ${ownerId}::uuid FROM pairs UNION ALL SELECT conv, peer FROM pairs
    )
    INSERT INTO contacts (owner_id, peer_id, conversation_id)
    SELECT ${ownerId}::uuid, peer, conv FROM pairs UNION ALL SELECT peer, ${ownerId}::uuid, conv FROM pairs`;
  return ids;
}

/** A GroupEvents that records every call. */
export class RecordingGroupEvents implements GroupEvents {
  readonly calls: GroupChange[] = [];
  async changed(change: GroupChange): Promise<void> {
    this.calls.push(change);
  }
  /** The calls about one conversation. */
  of(conversationId: string): GroupChange[] {
    return this.calls.filter((c) => c.conversationId === conversationId);
  }
}

/** Every row a group change may write: the conversation, its members, its messages; and the global counts. */
export async function groupState(gw: TestGateway, conversationId: string) {
  const [conversation, members, messages, counts] = await Promise.all([
    gw.prisma.conversation.findUnique({ where: { id: conversationId } }),
    gw.prisma.conversationMember.findMany({ where: { conversationId }, orderBy: { userId: "asc" } }),
    gw.prisma.message.count({ where: { conversationId } }),
    globalCounts(gw),
  ]);
  return { conversation, members, messages, counts };
}

export async function globalCounts(gw: TestGateway) {
  const [conversations, members, messages] = await Promise.all([
    gw.prisma.conversation.count(),
    gw.prisma.conversationMember.count(),
    gw.prisma.message.count(),
  ]);
  return { conversations, members, messages };
}

/** Runs a call that must be refused and checks that no row (and no last_seq) moved. */
export async function expectUnchanged(gw: TestGateway, conversationId: string, refused: () => Promise<unknown>): Promise<void> {
  const before = await groupState(gw, conversationId);
  await refused();
  expect(await groupState(gw, conversationId)).toEqual(before);
}
