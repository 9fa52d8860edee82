/**
 * Receipts of own group messages, "k of n": each other member has two watermarks (delivered,
 * read); a message at seq s is delivered / read by the members whose watermark is ≥ s, out of
 * n = active members other than me. A member whose cursors the client has not seen yet counts at
 * the group's floor (the lowest cursor among the others, from `conversations.list`). A member
 * known to have joined after s counts in neither k nor n for it. The server pushes a member's
 * cursor only when it passed one of my messages (protocol.md, `receipts`), which is all k of n
 * needs; `groups.members` (loadMemberCursors) fills in the rest. Pure functions over
 * ConversationMeta; the legs apply them and emit what changed.
 */
import type { MemberCursor } from "@dim/shared";
import type { ConversationMeta, GroupReceipts, MemberCursors, MessageState } from "./types";

/** A member's cursors as the client may learn them: joinedSeq is absent from a 1:1-style `receipt`. */
export type LooseMemberCursor = Omit<MemberCursor, "joinedSeq"> & { joinedSeq?: number };

/** k of n for my message at `seq`. */
export function groupReceiptsOf(meta: ConversationMeta, seq: number): GroupReceipts {
  // memberCount counts me only while I am a member (as conversations.list does).
  const others = Math.max(0, meta.memberCount - (meta.membership === "active" ? 1 : 0));
  const known = Object.values(meta.members);
  let delivered = 0;
  let read = 0;
  let joinedAfter = 0;
  for (const m of known) {
    // joined after the message: it was never theirs to read (their cursors start above it)
    if (m.joinedSeq !== undefined && m.joinedSeq > seq) {
      joinedAfter++;
      continue;
    }
    if (m.readSeq >= seq) read++;
    // Read implies delivered, whatever the delivered watermark says.
    if (Math.max(m.deliveredSeq, m.readSeq) >= seq) delivered++;
  }
  const of = Math.max(0, others - joinedAfter);
  const unknown = Math.max(0, others - known.length);
  if (unknown > 0) {
    if (meta.peersReadSeq >= seq) read += unknown;
    if (Math.max(meta.peersDeliveredSeq, meta.peersReadSeq) >= seq) delivered += unknown;
  }
  // Cursors of members who left stay until the next member load; they never count past n.
  return { delivered: Math.min(delivered, of), read: Math.min(read, of), of };
}

/**
 * "read" once every other member has read it, "delivered" once every one holds it, else "sent".
 * A group with nobody else (of = 0) stays "sent": nobody can read it, and "read" would claim
 * what did not happen.
 */
export function groupStateOf(receipts: GroupReceipts): MessageState {
  if (receipts.of === 0) return "sent";
  if (receipts.read === receipts.of) return "read";
  if (receipts.delivered === receipts.of) return "delivered";
  return "sent";
}

/**
 * Moves members' watermarks forward (never back; lower values are ignored). My own cursor is not
 * a member's. Returns true when any watermark moved. Replaces `members` (never mutates it: a
 * pending store write may still hold the previous object).
 */
export function applyMemberCursors(meta: ConversationMeta, cursors: readonly LooseMemberCursor[], me: string | null): boolean {
  let next: Record<string, MemberCursors> | null = null;
  for (const c of cursors) {
    if (c.userId === me) continue;
    const current = (next ?? meta.members)[c.userId];
    const deliveredSeq = Math.max(current?.deliveredSeq ?? 0, c.deliveredSeq, c.readSeq);
    const readSeq = Math.max(current?.readSeq ?? 0, c.readSeq);
    const joinedSeq = c.joinedSeq ?? current?.joinedSeq;
    if (current && current.deliveredSeq === deliveredSeq && current.readSeq === readSeq && current.joinedSeq === joinedSeq) continue;
    next ??= { ...meta.members };
    next[c.userId] = joinedSeq === undefined ? { deliveredSeq, readSeq } : { deliveredSeq, readSeq, joinedSeq };
  }
  if (next) meta.members = next;
  return next !== null;
}

/**
 * The member list as `groups.members` read it (others only): members not in it are dropped
 * (they left or were removed), the rest keep the higher of what the client held and what was
 * read (a `receipts` frame may have come in during the read).
 */
export function replaceMembers(meta: ConversationMeta, read: readonly MemberCursor[], me: string | null): void {
  const next: Record<string, MemberCursors> = {};
  for (const c of read) {
    if (c.userId === me) continue;
    const held = meta.members[c.userId] ?? { deliveredSeq: 0, readSeq: 0 };
    next[c.userId] = {
      deliveredSeq: Math.max(held.deliveredSeq, c.deliveredSeq, c.readSeq),
      readSeq: Math.max(held.readSeq, c.readSeq),
      joinedSeq: c.joinedSeq,
    };
  }
  meta.members = next;
  // Every other member is known now: the floor is their lowest cursor (forward only).
  const values = Object.values(next);
  if (values.length > 0) {
    meta.peersDeliveredSeq = Math.max(meta.peersDeliveredSeq, Math.min(...values.map((m) => m.deliveredSeq)));
    meta.peersReadSeq = Math.max(meta.peersReadSeq, Math.min(...values.map((m) => m.readSeq)));
  }
}
