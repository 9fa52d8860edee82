/**
 * groups.members: a page of the active members with roles and cursors, owner first, then
 * admins, then members, each by joined_seq then user id (member_role's declared order is
 * owner < admin < member), read by keyset so pages stay consistent while members change.
 */
import { z } from "zod";
import { memberRole, uuid, type GroupMembersOutput, type MemberRole } from "@dim/shared";
import { toPublicUser } from "../auth/session";
import type { Db } from "../db";
import { decodeCursor, encodeCursor } from "./page-cursor";

const memberKey = z.tuple([memberRole, z.number().int().min(1), uuid]);

interface Row {
  id: string;
  username: string;
  display_name: string;
  status_text: string;
  avatar_id: string | null;
  role: MemberRole;
  joined_at: Date;
  joined_seq: bigint;
  delivered_seq: bigint;
  read_seq: bigint;
}

export async function listGroupMembers(
  db: Db,
  input: { conversationId: string; cursor?: string | undefined; limit: number },
): Promise<GroupMembersOutput> {
  const after = decodeCursor(input.cursor, memberKey);
  const [rows, [total]] = await Promise.all([
    db.$queryRaw<Row[]>`
      SELECT u.id::text, u.username, u.display_name, u.status_text, u.avatar_id::text AS avatar_id, m.role::text AS role, m.joined_at, m.joined_seq,
             m.delivered_seq, m.read_seq
      FROM conversation_members m JOIN users u ON u.id = m.user_id
      WHERE m.conversation_id = ${input.conversationId}::uuid AND m.left_seq IS NULL
        AND (${after === null} OR (m.role, m.joined_seq, m.user_id) > (${after?.[0] ?? "owner"}::member_role, ${after?.[1] ?? 0}::bigint, ${after?.[2] ?? "00000000-0000-0000-0000-000000000000"}::uuid))
      ORDER BY m.role, m.joined_seq, m.user_id
      LIMIT ${input.limit + 1}`,
    db.$queryRaw<Array<{ n: bigint }>>`
      SELECT count(*) AS n FROM conversation_members WHERE conversation_id = ${input.conversationId}::uuid AND left_seq IS NULL`,
  ]);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    members: page.map((r) => ({
      user: toPublicUser({ id: r.id, username: r.username, displayName: r.display_name, statusText: r.status_text, avatarId: r.avatar_id }),
      role: r.role,
      joinedAt: r.joined_at.toISOString(),
      joinedSeq: Number(r.joined_seq),
      deliveredSeq: Number(r.delivered_seq),
      readSeq: Number(r.read_seq),
    })),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.role, Number(last.joined_seq), last.id]) : null,
    total: Number(total?.n ?? 0),
  };
}
