/**
 * The shape every group change shares: throttle the caller, then ONE transaction that locks the
 * group (loadGroupForUpdate), checks every rule before writing anything, appends the system
 * message and changes the rows; after the commit, one call to GroupEvents. A refused call throws
 * inside the transaction, so nothing is written and nothing is announced.
 */
import { MEMBERSHIP_EVENT_TYPES, type Message } from "@dim/shared";
import { rateLimited } from "../auth/rate-limiter";
import type { Context } from "../context";
import type { Tx } from "../db";
import { announceGroupChange } from "./group-events";
import { loadGroupForUpdate, type LockedGroup } from "./load-group-for-update";

export type GroupContext = Pick<Context, "prisma" | "config" | "groupEvents" | "limiters" | "log">;

/** What a change did: its system message and who is told what (GroupChange's three sets). */
export interface ChangeOutcome<T> {
  output: T;
  systemMessage: Message;
  added: string[];
  changed: string[];
  removed: string[];
}

/** RATE_LIMITED (with retryAfterMs) past DIM_GROUP_WRITES_MAX_PER_USER changes per window. */
export async function throttleGroupWrites(ctx: GroupContext, me: string): Promise<void> {
  const taken = await ctx.limiters.groupWritesByUser.take(me);
  if (!taken.ok) throw rateLimited(taken.retryAfterMs, "group changes");
}

/** Commits `work` (run after the group is locked and the caller's membership read), then announces it. */
export async function commitGroupChange<T>(
  ctx: GroupContext,
  me: string,
  conversationId: string,
  work: (tx: Tx, group: LockedGroup) => Promise<ChangeOutcome<T>>,
): Promise<T> {
  await throttleGroupWrites(ctx, me);
  const { before, outcome } = await ctx.prisma.$transaction(async (tx) => {
    const group = await loadGroupForUpdate(tx, conversationId, me);
    return { before: group, outcome: await work(tx, group) };
  });
  await announceOutcome(ctx, conversationId, before.membershipSeq, outcome);
  return outcome.output;
}

/** The GroupEvents call for a committed outcome. */
export async function announceOutcome(ctx: GroupContext, conversationId: string, membershipSeqBefore: number, o: ChangeOutcome<unknown>) {
  const type = o.systemMessage.system?.type;
  const membershipSeq = type && MEMBERSHIP_EVENT_TYPES.includes(type) ? o.systemMessage.seq : membershipSeqBefore;
  ctx.log.info({ conversationId, seq: o.systemMessage.seq, event: type, added: o.added.length, removed: o.removed.length }, "group changed");
  await announceGroupChange(ctx.groupEvents, ctx.log, {
    conversationId,
    kind: "group",
    membershipSeq,
    systemMessage: o.systemMessage,
    added: o.added,
    changed: o.changed,
    removed: o.removed,
  });
}
