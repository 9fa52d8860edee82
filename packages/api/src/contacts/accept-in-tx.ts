import { randomUUID } from "node:crypto";
import type { Contact } from "@dim/shared";
import { toPublicUser } from "../auth/session";
import type { Tx } from "../db";

/** Two users have one direct conversation: keyed by their sorted ids. */
export function directKey(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

/**
 * Makes `me` and `peerId` contacts: the direct conversation (reused if it exists), both
 * memberships, both contact rows, and every pending request between them marked accepted.
 * Idempotent; the caller holds the pair's lock (lockKey(directKey)) in the same transaction.
 * `created`: the direct conversation is new (the caller announces it once committed).
 */
export async function acceptInTx(tx: Tx, me: string, peerId: string): Promise<{ contact: Contact; created: boolean }> {
  const key = directKey(me, peerId);
  const existing = await tx.conversation.findUnique({ where: { directKey: key }, select: { id: true } });
  const conversation =
    existing ?? (await tx.conversation.create({ data: { id: randomUUID(), kind: "direct", directKey: key }, select: { id: true } }));
  await tx.conversationMember.createMany({
    data: [
      { conversationId: conversation.id, userId: me },
      { conversationId: conversation.id, userId: peerId },
    ],
    skipDuplicates: true,
  });
  await tx.contact.createMany({
    data: [
      { ownerId: me, peerId, conversationId: conversation.id },
      { ownerId: peerId, peerId: me, conversationId: conversation.id },
    ],
    skipDuplicates: true,
  });
  await tx.contactRequest.updateMany({
    where: {
      status: "pending",
      OR: [
        { fromUserId: me, toUserId: peerId },
        { fromUserId: peerId, toUserId: me },
      ],
    },
    data: { status: "accepted", decidedAt: new Date() },
  });
  const row = await tx.contact.findUniqueOrThrow({
    where: { ownerId_peerId: { ownerId: me, peerId } },
    include: { peer: true },
  });
  return {
    contact: { user: toPublicUser(row.peer), conversationId: row.conversationId, since: row.createdAt.toISOString() },
    created: existing === null,
  };
}
