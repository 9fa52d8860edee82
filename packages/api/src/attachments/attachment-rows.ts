/**
 * The `attachments` table as the upload and download routes use it. Blobs are shared by content,
 * so writing and collecting a blob both hold an advisory lock on its key for the length of a
 * transaction: an upload writes its blobs and its row under the locks, and the collector deletes a
 * blob only while holding the lock and seeing no row that uses it. Neither can lose the other's.
 */
import type { AttachmentKind, AttachmentRef } from "@dim/shared";
import type { BlobStore } from "@dim/infra";
import { lockKey, type Db } from "../db";
import type { SqlRows, Statement } from "../sql";

type Int8 = bigint | string;

export interface AttachmentRow {
  id: string;
  ownerId: string;
  kind: AttachmentKind;
  sha256: string;
  size: number;
  mime: string;
  name: string;
  width: number | null;
  height: number | null;
  thumbnailKey: string | null;
  placeholder: string | null;
}

export function toRef(r: AttachmentRow): AttachmentRef {
  return {
    id: r.id,
    kind: r.kind,
    mime: r.mime,
    name: r.name,
    size: r.size,
    ...(r.width !== null ? { width: r.width } : {}),
    ...(r.height !== null ? { height: r.height } : {}),
    ...(r.placeholder !== null ? { placeholder: r.placeholder } : {}),
  };
}

export const blobLock = (key: string) => `blob:${key}`;

const BYTES_TODAY: Statement = {
  name: "attachment_bytes_today",
  text: `SELECT COALESCE(sum(size), 0) AS bytes FROM attachments WHERE owner_id = $1::uuid AND created_at > now() - interval '1 day'`,
};

/** Bytes the user uploaded in the last 24 hours (collected uploads no longer count). */
export async function bytesToday(sql: SqlRows, userId: string): Promise<number> {
  const [row] = await sql<{ bytes: Int8 | number }>(BYTES_TODAY, [userId]);
  return Number(row?.bytes ?? 0);
}

export interface BlobWrite {
  key: string;
  write(): Promise<void>;
}

/** Writes the blobs, then the row, in one transaction holding the blobs' locks. */
export async function saveAttachment(prisma: Db, row: AttachmentRow, writes: BlobWrite[]): Promise<void> {
  const sorted = [...writes].sort((a, b) => a.key.localeCompare(b.key));
  await prisma.$transaction(
    async (tx) => {
      for (const w of sorted) await lockKey(tx, blobLock(w.key));
      for (const w of sorted) await w.write();
      await tx.$executeRaw`
        INSERT INTO attachments (id, owner_id, kind, sha256, size, mime, name, width, height, thumbnail_key, placeholder)
        VALUES (${row.id}::uuid, ${row.ownerId}::uuid, ${row.kind}::attachment_kind, ${row.sha256}, ${row.size}, ${row.mime},
                ${row.name}, ${row.width}, ${row.height}, ${row.thumbnailKey}, ${row.placeholder})`;
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

/**
 * The attachment as `viewerId` may fetch it, or null. Unsent, it is its owner's alone. Once sent
 * it belongs to the conversation: whoever has the message in its membership window may fetch it
 * (also after leaving: its history up to its leaving), whether or not the uploader is still a
 * member — and the uploader too only through its window, so re-added with a new window it loses
 * the file with the message (docs/protocol.md §3.6, §16.3).
 */
const FOR_VIEWER: Statement = {
  name: "attachment_for_viewer",
  text: `
    SELECT a.id::text, a.owner_id::text, a.kind::text, a.sha256, a.size, a.mime, a.name, a.width, a.height,
           a.thumbnail_key, a.placeholder
    FROM attachments a
    WHERE a.id = $1::uuid AND (
      (a.message_id IS NULL AND a.owner_id = $2::uuid) OR EXISTS (
        SELECT 1 FROM messages msg JOIN conversation_members w
          ON w.conversation_id = msg.conversation_id AND w.user_id = $2::uuid
        WHERE msg.id = a.message_id AND msg.seq >= w.joined_seq AND msg.seq <= COALESCE(w.left_seq, msg.seq)
      )
    )`,
};

interface DbRow {
  id: string;
  owner_id: string;
  kind: AttachmentKind;
  sha256: string;
  size: Int8 | number;
  mime: string;
  name: string;
  width: number | null;
  height: number | null;
  thumbnail_key: string | null;
  placeholder: string | null;
}

export async function attachmentForViewer(sql: SqlRows, attachmentId: string, viewerId: string): Promise<AttachmentRow | null> {
  const [r] = await sql<DbRow>(FOR_VIEWER, [attachmentId, viewerId]);
  if (!r) return null;
  return {
    id: r.id,
    ownerId: r.owner_id,
    kind: r.kind,
    sha256: r.sha256,
    size: Number(r.size),
    mime: r.mime,
    name: r.name,
    width: r.width,
    height: r.height,
    thumbnailKey: r.thumbnail_key,
    placeholder: r.placeholder,
  };
}

/**
 * Deletes uploads no message sent within `olderThanMs`, then each of their blobs no other row
 * uses. Returns how many uploads it deleted. Safe to run in several processes at once.
 */
export async function collectUnsent(prisma: Db, blobs: BlobStore, olderThanMs: number, limit = 500): Promise<number> {
  const gone = await prisma.$queryRaw<Array<{ sha256: string; thumbnail_key: string | null }>>`
    DELETE FROM attachments WHERE id IN (
      SELECT id FROM attachments
      WHERE message_id IS NULL AND created_at < now() - make_interval(secs => ${olderThanMs / 1000}::float8)
      ORDER BY created_at LIMIT ${limit}::int
      FOR UPDATE SKIP LOCKED
    )
    RETURNING sha256, thumbnail_key`;
  const keys = [...new Set(gone.flatMap((g) => (g.thumbnail_key ? [g.sha256, g.thumbnail_key] : [g.sha256])))];
  for (const key of keys) {
    await prisma.$transaction(async (tx) => {
      await lockKey(tx, blobLock(key));
      const [used] = await tx.$queryRaw<Array<{ used: boolean }>>`
        SELECT EXISTS (SELECT 1 FROM attachments WHERE sha256 = ${key} OR thumbnail_key = ${key}) AS used`;
      if (!used?.used) await blobs.delete(key);
    });
  }
  return gone.length;
}
