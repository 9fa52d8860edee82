/**
 * Where attachment bytes live. Keys are content addresses (the SHA-256 of the bytes, 64 lower-case
 * hex digits), so writing a key again writes the same bytes: `put` may overwrite, and two uploads
 * of one file share one blob. Who may read a key is the gateway's business; stores only store.
 */
import type { Readable } from "node:stream";
import { AppError, ErrorCode } from "@dim/shared";

/** An inclusive byte range, as HTTP's `Range: bytes=start-end`. */
export interface BlobRange {
  start: number;
  end: number;
}

export interface BlobStore {
  /** "disk" (embedded) or "s3" (cluster): for logs and /health. */
  readonly kind: "disk" | "s3";
  /** Stores the file at `path` under `key` (atomically: a reader never sees half of it). */
  putFile(key: string, path: string, contentType: string): Promise<void>;
  putBytes(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The blob's size, or null when there is none. */
  stat(key: string): Promise<{ size: number } | null>;
  /** The blob's bytes (a range of them), or null when there is none. */
  read(key: string, range?: BlobRange): Promise<Readable | null>;
  /** Idempotent: deleting a missing key is no error. */
  delete(key: string): Promise<void>;
  /**
   * A URL that GETs the blob without credentials for `expiresInSeconds`, answered with the given
   * type and disposition; null when the store has no such URLs (disk).
   */
  presignGet(key: string, opts: { expiresInSeconds: number; contentType: string; contentDisposition: string }): Promise<string | null>;
  /** Idempotent. */
  close(): Promise<void>;
}

const KEY_RE = /^[0-9a-f]{64}$/;

export function requireBlobKey(key: string): void {
  if (typeof key !== "string" || !KEY_RE.test(key)) throw new AppError(ErrorCode.BadRequest, "a blob key is a lower-case hex SHA-256");
}
