/**
 * Thumbnails already seen, kept on the device so history shows its pictures offline. The PWA
 * keeps them in IndexedDB; the default keeps them in memory for the life of the client. A cache
 * may drop entries whenever it likes (they are fetched again): nothing depends on a hit.
 */
export interface ThumbnailCache {
  get(attachmentId: string): Promise<Blob | undefined>;
  put(attachmentId: string, thumbnail: Blob): Promise<void>;
  /** Logout: forget them with everything else. */
  clear(): Promise<void>;
}

/** In memory, the newest `max` thumbnails (least recently used ones go first). */
export class MemoryThumbnailCache implements ThumbnailCache {
  private readonly entries = new Map<string, Blob>();
  constructor(private readonly max = 500) {}

  async get(attachmentId: string): Promise<Blob | undefined> {
    const blob = this.entries.get(attachmentId);
    if (blob) {
      this.entries.delete(attachmentId);
      this.entries.set(attachmentId, blob);
    }
    return blob;
  }

  async put(attachmentId: string, thumbnail: Blob): Promise<void> {
    this.entries.delete(attachmentId);
    this.entries.set(attachmentId, thumbnail);
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  async clear(): Promise<void> {
    this.entries.clear();
  }
}

/**
 * Cache first, else fetched and kept. Concurrent asks for one thumbnail share one request. A
 * cache that fails to read or write is passed over (the network still answers).
 */
export class ThumbnailLoader {
  private readonly inFlight = new Map<string, Promise<Blob>>();

  constructor(
    private readonly cache: ThumbnailCache,
    private readonly fetchThumbnail: (attachmentId: string) => Promise<Blob>,
  ) {}

  load(attachmentId: string): Promise<Blob> {
    const running = this.inFlight.get(attachmentId);
    if (running) return running;
    const p = this.run(attachmentId).finally(() => this.inFlight.delete(attachmentId));
    this.inFlight.set(attachmentId, p);
    return p;
  }

  private async run(attachmentId: string): Promise<Blob> {
    const hit = await this.cache.get(attachmentId).catch(() => undefined);
    if (hit) return hit;
    const blob = await this.fetchThumbnail(attachmentId);
    await this.cache.put(attachmentId, blob).catch(() => {});
    return blob;
  }
}
