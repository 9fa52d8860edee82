/**
 * The rules of a text's or edit's mentions, checked in the append's transaction (after the
 * conversation row is locked, so membership cannot change under it). Each refusal is an AppError
 * and nothing is stored (docs/protocol.md §17.1):
 * - mentions are for groups (BAD_REQUEST in a direct conversation);
 * - every mentioned id is an active member (NOT_FOUND, `details.userIds`);
 * - every mentioned member's `@username` is in the text (BAD_REQUEST, `details.userIds`): the ids
 *   are what notifies, the text is how it reads, and a client cannot notify someone the text
 *   does not name; a `@name` token without its id is plain text;
 * - `mentionsAll` needs `@all` or `@everyone` in the text (BAD_REQUEST) and an owner or admin
 *   sender (FORBIDDEN): nobody else may ring every member of a large group.
 */
import { AppError, ErrorCode, mentionedNames, mentionsAllToken, type MemberRole } from "@dim/shared";
import type { PrismaClient } from "./create-prisma";

type Tx = Pick<PrismaClient, "$queryRawUnsafe">;

export interface MentionsToStore {
  /** Lower-case ids, in the order sent ([] when none). */
  ids: string[];
  all: boolean;
}

export const NO_MENTIONS: MentionsToStore = { ids: [], all: false };

export async function checkMentions(
  tx: Tx,
  input: { mentions?: string[] | undefined; mentionsAll?: boolean | undefined; body: string },
  conv: { kind: string; members: ReadonlyArray<{ userId: string; role: MemberRole }>; senderRole: MemberRole },
): Promise<MentionsToStore> {
  const ids = (input.mentions ?? []).map((id) => id.toLowerCase());
  const all = input.mentionsAll === true;
  if (ids.length === 0 && !all) return NO_MENTIONS;
  if (conv.kind !== "group") throw new AppError(ErrorCode.BadRequest, "mentions are for group conversations");
  const active = new Set(conv.members.map((m) => m.userId));
  const strangers = ids.filter((id) => !active.has(id));
  if (strangers.length > 0) throw new AppError(ErrorCode.NotFound, "a mentioned user is not a member of this group", { userIds: strangers });
  if (all) {
    if (conv.senderRole === "member") throw new AppError(ErrorCode.Forbidden, "only the group's owner and admins can mention everyone");
    if (!mentionsAllToken(input.body)) throw new AppError(ErrorCode.BadRequest, "mentionsAll needs @all or @everyone in the text");
  }
  if (ids.length > 0) {
    const names = mentionedNames(input.body);
    const rows = await tx.$queryRawUnsafe<Array<{ id: string; username: string }>>(
      `SELECT id::text, username FROM users WHERE id = ANY($1::uuid[])`,
      ids,
    );
    const nameOf = new Map(rows.map((r) => [r.id, r.username]));
    const unnamed = ids.filter((id) => !names.has(nameOf.get(id) ?? ""));
    if (unnamed.length > 0) {
      throw new AppError(ErrorCode.BadRequest, "each mentioned member's @username must be in the text", { userIds: unnamed });
    }
  }
  return { ids, all };
}

/** The mention fields of an append or a stored message. */
export interface MentionsOf {
  mentions?: readonly string[] | undefined;
  mentionsAll?: boolean | undefined;
}

/** A re-send's mentions against the stored message's: the same ids in any order (lower case, as PostgreSQL returns them), the same @all. */
export function sameMentions(input: MentionsOf, m: MentionsOf): boolean {
  const a = (input.mentions ?? []).map((id) => id.toLowerCase()).sort();
  const b = [...(m.mentions ?? [])].sort();
  return a.length === b.length && a.every((id, i) => id === b[i]) && (input.mentionsAll === true) === (m.mentionsAll === true);
}
