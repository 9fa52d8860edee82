/**
 * The thumbnails already seen, in IndexedDB (the client library's ThumbnailCache), so history
 * shows its pictures offline. At most MAX of them (about 10–30 KB each): the least recently
 * stored go first. Wiped at logout with the rest (clearAll).
 */
import type { ThumbnailCache } from "@dim/client";
import { hasIndexedDb, request, S, tx } from "./idb-store";

const MAX = 1000;

interface ThumbRow {
  id: string;
  blob: Blob;
  /** When it was stored (ms): the eviction order. */
  at: number;
}

export class IdbThumbnailCache implements ThumbnailCache {
  async get(attachmentId: string): Promise<Blob | undefined> {
    if (!hasIndexedDb()) return undefined;
    const row = await tx([S.thumbs], "readonly", (t) => request(t.objectStore(S.thumbs).get(attachmentId)) as Promise<ThumbRow | undefined>);
    return row?.blob;
  }

  async put(attachmentId: string, thumbnail: Blob): Promise<void> {
    if (!hasIndexedDb()) return;
    await tx([S.thumbs], "readwrite", async (t) => {
      const store = t.objectStore(S.thumbs);
      store.put({ id: attachmentId, blob: thumbnail, at: Date.now() } satisfies ThumbRow);
      const count = await request(store.count());
      if (count <= MAX) return;
      // Oldest first along the `at` index, until MAX remain.
      let excess = count - MAX;
      await new Promise<void>((resolve, reject) => {
        const cursor = store.index("at").openCursor();
        cursor.onerror = () => reject(cursor.error);
        cursor.onsuccess = () => {
          const c = cursor.result;
          if (!c || excess <= 0) return resolve();
          c.delete();
          excess--;
          c.continue();
        };
      });
    });
  }

  async clear(): Promise<void> {
    if (!hasIndexedDb()) return;
    await tx([S.thumbs], "readwrite", (t) => void t.objectStore(S.thumbs).clear());
  }
}
