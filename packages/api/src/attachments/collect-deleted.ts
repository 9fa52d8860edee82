/**
 * The blobs of messages deleted for everyone: the core node's delete deletes the attachment rows
 * in its transaction and queues their blob keys in `blob_garbage` (a core node holds no blob
 * store). The gateway's sweep deletes each blob no attachment row uses any more — under the same
 * advisory lock as uploads and collectUnsent (attachment-rows.ts), so a new upload of the same
 * bytes is never lost — then the queue row.
 */
import type { BlobStore } from "@dim/infra";
import { lockKey, type Db } from "../db";
import { blobLock } from "./attachment-rows";

/** Returns how many queued keys it handled. Safe to run in several processes at once. */
export async function collectDeletedBlobs(prisma: Db, blobs: BlobStore, limit = 500): Promise<number> {
  const queued = await prisma.$queryRaw<Array<{ key: string }>>`
    SELECT key FROM blob_garbage ORDER BY created_at LIMIT ${limit}::int`;
  let handled = 0;
  for (const { key } of queued) {
    await prisma.$transaction(async (tx) => {
      await lockKey(tx, blobLock(key));
      const [row] = await tx.$queryRaw<Array<{ used: boolean; queued: boolean }>>`
        SELECT EXISTS (SELECT 1 FROM attachments WHERE sha256 = ${key} OR thumbnail_key = ${key}) AS used,
               EXISTS (SELECT 1 FROM blob_garbage WHERE key = ${key}) AS queued`;
      if (!row?.queued) return; // another gateway took it
      if (!row.used) await blobs.delete(key);
      await tx.$executeRaw`DELETE FROM blob_garbage WHERE key = ${key}`;
      handled++;
    });
  }
  return handled;
}
