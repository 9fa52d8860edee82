/**
 * conversations.readers: who has read the message at `seq` (the "read by" list), by username,
 * with the counts behind "read by k of n": n = active members other than its sender who had
 * joined by then, k = those of them whose read cursor reached it. The caller checked that `seq`
 * is in its own window.
 */
import { z } from "zod";
import { username, type ReadersOutput } from "@dim/shared";
import { toPublicUser } from "../auth/session";
import type { Db } from "../db";
import { decodeCursor, encodeCursor } from "./page-cursor";

interface Row {
  id: string;
  username: string;
  display_name: string;
  status_text: string;
  avatar_id: string | null;
  read_seq: bigint;
}

export async function listReaders(
  db: Db,
  input: { conversationId: string; seq: number; cursor?: string | undefined; limit: number },
): Promise<ReadersOutput> {
  const after = decodeCursor(input.cursor, z.tuple([username]));
  const [rows, [counts]] = await Promise.all([
    db.$queryRaw<Row[]>`
      SELECT u.id::text, u.username, u.display_name, u.status_text, u.avatar_id::text AS avatar_id, o.read_seq
      FROM messages x
      JOIN conversation_members o ON o.conversation_id = x.conversation_id AND o.left_seq IS NULL
        AND o.user_id <> x.sender_id AND o.joined_seq <= x.seq AND o.read_seq >= x.seq
      JOIN users u ON u.id = o.user_id
      WHERE x.conversation_id = ${input.conversationId}::uuid AND x.seq = ${input.seq}
        AND (${after === null} OR u.username > ${after?.[0] ?? ""})
      ORDER BY u.username
      LIMIT ${input.limit + 1}`,
    db.$queryRaw<Array<{ read: bigint; members: bigint }>>`
      SELECT count(*) FILTER (WHERE o.read_seq >= x.seq) AS read, count(o.user_id) AS members
      FROM messages x
      LEFT JOIN conversation_members o ON o.conversation_id = x.conversation_id AND o.left_seq IS NULL
        AND o.user_id <> x.sender_id AND o.joined_seq <= x.seq
      WHERE x.conversation_id = ${input.conversationId}::uuid AND x.seq = ${input.seq}`,
  ]);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    readers: page.map((r) => ({
      user: toPublicUser({ id: r.id, username: r.username, displayName: r.display_name, statusText: r.status_text, avatarId: r.avatar_id }),
      readSeq: Number(r.read_seq),
    })),
    readCount: Number(counts?.read ?? 0),
    memberCount: Number(counts?.members ?? 0),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.username]) : null,
  };
}
