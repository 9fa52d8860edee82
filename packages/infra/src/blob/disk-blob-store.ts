/**
 * The embedded mode's BlobStore: one file per blob under a directory (by default the data
 * directory's blobs/), fanned out by the key's first two hex digits. Writes go to a temporary
 * file in the same directory tree and are renamed into place, so readers see all or nothing.
 */
import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { requireBlobKey, type BlobRange, type BlobStore } from "./blob-store";

export class DiskBlobStore implements BlobStore {
  readonly kind = "disk" as const;
  private readonly tmpDir: string;

  constructor(private readonly root: string) {
    this.tmpDir = join(root, ".tmp");
  }

  private pathOf(key: string): string {
    requireBlobKey(key);
    return join(this.root, key.slice(0, 2), key);
  }

  private async place(key: string, write: (tmp: string) => Promise<void>): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(this.tmpDir, { recursive: true });
    await mkdir(join(this.root, key.slice(0, 2)), { recursive: true });
    const tmp = join(this.tmpDir, `${key}.${randomUUID()}`);
    try {
      await write(tmp);
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  putFile(key: string, path: string): Promise<void> {
    return this.place(key, (tmp) => copyFile(path, tmp));
  }

  putBytes(key: string, bytes: Uint8Array): Promise<void> {
    return this.place(key, (tmp) => writeFile(tmp, bytes));
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      return { size: (await stat(this.pathOf(key))).size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }

  async read(key: string, range?: BlobRange): Promise<Readable | null> {
    if ((await this.stat(key)) === null) return null;
    return createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : {});
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async presignGet(): Promise<null> {
    return null;
  }

  async close(): Promise<void> {}
}
