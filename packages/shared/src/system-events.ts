/**
 * The typed events of `system` messages: every membership or group change is one message in the
 * conversation's seq stream, so history, sync and offline carry it with nothing else. The actor
 * is the message's `senderId`.
 */
import { z } from "zod";
import { Limits } from "./limits";

const userId = z.uuid();
/** A stored group title (already trimmed). */
const storedTitle = z.string().min(1).max(Limits.groupTitleMax);

export const memberRole = z.enum(["owner", "admin", "member"]);
export type MemberRole = z.infer<typeof memberRole>;

export const systemEvent = z.discriminatedUnion("type", [
  /** The group exists; `memberIds` are the initial members besides the creator (the sender). */
  z.strictObject({ type: z.literal("group.created"), title: storedTitle, memberIds: z.array(userId).max(Limits.maxGroupBatch) }),
  z.strictObject({ type: z.literal("members.added"), userIds: z.array(userId).min(1).max(Limits.maxGroupBatch) }),
  z.strictObject({ type: z.literal("member.removed"), userId }),
  /** The sender left. */
  z.strictObject({ type: z.literal("member.left") }),
  z.strictObject({ type: z.literal("group.renamed"), title: storedTitle }),
  z.strictObject({ type: z.literal("role.changed"), userId, role: z.enum(["admin", "member"]) }),
  /** `userId` is the new owner; the previous owner (the sender) became admin. */
  z.strictObject({ type: z.literal("owner.transferred"), userId }),
]);
export type SystemEvent = z.infer<typeof systemEvent>;
export type SystemEventType = SystemEvent["type"];

/** Events that change who is a member (they move the conversation's `membershipSeq`). */
export const MEMBERSHIP_EVENT_TYPES: readonly SystemEventType[] = ["group.created", "members.added", "member.removed", "member.left"];
