/** Users and conversations for the store's tests, created through Prisma on the test database. */
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { AppError } from "@dim/shared";
import type { PrismaClient } from "../../src/create-prisma";

export function fixtures(prisma: () => PrismaClient) {
  async function user(): Promise<string> {
    const id = randomUUID();
    await prisma().user.create({ data: { id, username: `u_${id.slice(0, 12)}`, passwordHash: "x", displayName: "U" } });
    return id;
  }

  async function conversation(memberIds: string[]): Promise<string> {
    const id = randomUUID();
    await prisma().conversation.create({
      data: { id, kind: memberIds.length === 2 ? "direct" : "group", members: { create: memberIds.map((userId) => ({ userId })) } },
    });
    // Two users' direct conversation is written to only while they are contacts (both rows).
    if (memberIds.length === 2) {
      const [a, b] = memberIds as [string, string];
      await prisma().contact.createMany({ data: [{ ownerId: a, peerId: b, conversationId: id }, { ownerId: b, peerId: a, conversationId: id }], skipDuplicates: true });
    }
    return id;
  }

  async function lastSeq(conversationId: string): Promise<number> {
    const c = await prisma().conversation.findUniqueOrThrow({ where: { id: conversationId } });
    return Number(c.lastSeq);
  }

  return { user, conversation, lastSeq };
}

/** The AppError a promise rejects with (fails the test when it resolves or rejects otherwise). */
export async function appErrorOf(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** Waits until `n` sessions of this database wait for a lock (a statement is blocked where a test wants it). */
export async function untilWaitingForLocks(prisma: PrismaClient, n: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await prisma.$queryRawUnsafe<Array<{ n: bigint }>>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    if (Number(row!.n) >= n) return;
    if (Date.now() > deadline) throw new Error(`no ${n} sessions waiting for a lock after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
