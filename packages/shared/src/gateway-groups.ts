/**
 * Inputs and outputs of the gateway's group procedures (`groups.*`) and of
 * `conversations.readers` (version 1). Rules and errors: docs/protocol.md.
 */
import { z } from "zod";
import { Limits } from "./limits";
import { conversationSummary, isoDate, publicUser, seq, uuid } from "./protocol";
import { memberRole } from "./system-events";

/** Ids compared as PostgreSQL returns them. */
const userId = uuid.transform((id) => id.toLowerCase());

/** 0 or 1 to Limits.maxGroupBatch user ids, no id twice. */
function userIds(min: 0 | 1) {
  return z
    .array(userId)
    .min(min)
    .max(Limits.maxGroupBatch)
    .refine((ids) => new Set(ids).size === ids.length, "the same user id is listed twice");
}

/** 1 to Limits.groupTitleMax characters after trimming. */
export const groupTitle = z.string().trim().min(1).max(Limits.groupTitleMax);

/** An opaque paging cursor from a previous page's `nextCursor`. */
const pageCursor = z.string().min(1).max(512);
const pageLimit = z.number().int().min(1).max(Limits.maxMembersPage).default(Limits.defaultMembersPage);

// groups.create
export const createGroupInput = z.strictObject({ title: groupTitle, memberIds: userIds(0).default([]) });
export const createGroupOutput = z.strictObject({ conversation: conversationSummary });

// groups.addMembers
export const addMembersInput = z.strictObject({ conversationId: uuid, userIds: userIds(1) });
export const addMembersOutput = z.strictObject({ seq: seq.min(1), added: z.array(uuid) });

// groups.removeMember, groups.transferOwnership
export const groupMemberInput = z.strictObject({ conversationId: uuid, userId });
// groups.leave
export const leaveGroupInput = z.strictObject({ conversationId: uuid });
// groups.rename
export const renameGroupInput = z.strictObject({ conversationId: uuid, title: groupTitle });
// groups.setRole
export const setRoleInput = z.strictObject({ conversationId: uuid, userId, role: z.enum(["admin", "member"]) });
/** The seq of the system message that recorded the change. */
export const groupChangeOutput = z.strictObject({ seq: seq.min(1) });
export type GroupChangeOutput = z.infer<typeof groupChangeOutput>;

// groups.members
export const groupMembersInput = z.strictObject({ conversationId: uuid, cursor: pageCursor.optional(), limit: pageLimit });
export const groupMember = z.strictObject({
  user: publicUser,
  role: memberRole,
  joinedAt: isoDate,
  /** The seq of the system message that added them: they see the conversation from there. */
  joinedSeq: seq.min(1),
  deliveredSeq: seq,
  readSeq: seq,
});
export type GroupMember = z.infer<typeof groupMember>;
export const groupMembersOutput = z.strictObject({
  /** Owner first, then admins, then members, each by joinedSeq then user id. */
  members: z.array(groupMember),
  /** Give it as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
  /** Active members in all. */
  total: z.number().int().nonnegative(),
});
export type GroupMembersOutput = z.infer<typeof groupMembersOutput>;

// conversations.readers
export const readersInput = z.strictObject({ conversationId: uuid, seq: seq.min(1), cursor: pageCursor.optional(), limit: pageLimit });
export const reader = z.strictObject({ user: publicUser, readSeq: seq });
export const readersOutput = z.strictObject({
  /** Who has read the message at `seq`, by username. */
  readers: z.array(reader),
  /** How many have read it, in all (not only this page). */
  readCount: z.number().int().nonnegative(),
  /** How many could have: active members other than its sender who had joined by `seq`. */
  memberCount: z.number().int().nonnegative(),
  nextCursor: z.string().nullable(),
});
export type ReadersOutput = z.infer<typeof readersOutput>;
