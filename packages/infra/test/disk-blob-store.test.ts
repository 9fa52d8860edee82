/**
 * The embedded blob store on a real directory: content-addressed keys, atomic puts (nothing half
 * written is visible, no temporary file stays), byte ranges, idempotent delete, keys checked.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { ErrorCode } from "@dim/shared";
import type { BlobStore } from "../src/blob/blob-store";
import { DiskBlobStore } from "../src/blob/disk-blob-store";

const root = mkdtempSync(join(tmpdir(), "dim-disk-blobs-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const store: BlobStore = new DiskBlobStore(root);
const keyOf = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function text(stream: Readable | null): Promise<string | null> {
  if (!stream) return null;
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

describe("DiskBlobStore", () => {
  it("stores bytes and files under their key, reads them whole and by range, deletes idempotently", async () => {
    const bytes = Buffer.from("hello, blob store");
    const key = keyOf(bytes);
    expect(await store.stat(key)).toBeNull();
    expect(await store.read(key)).toBeNull();
    await store.putBytes(key, bytes, "text/plain");
    expect(await store.stat(key)).toEqual({ size: bytes.length });
    expect(await text(await store.read(key))).toBe("hello, blob store");
    expect(await text(await store.read(key, { start: 7, end: 10 }))).toBe("blob");

    const src = join(root, "..", `dim-src-${process.pid}.bin`);
    const fileBytes = Buffer.from("from a file");
    writeFileSync(src, fileBytes);
    const fileKey = keyOf(fileBytes);
    await store.putFile(fileKey, src, "application/octet-stream");
    rmSync(src);
    expect(await text(await store.read(fileKey))).toBe("from a file");
    // The temporary files of both puts are gone.
    expect(readdirSync(join(root, ".tmp"))).toEqual([]);

    await store.delete(key);
    await store.delete(key);
    expect(await store.stat(key)).toBeNull();
    expect(await store.presignGet(fileKey, { expiresInSeconds: 60, contentType: "x/y", contentDisposition: "attachment" })).toBeNull();
  });

  it("refuses a key that is not a lower-case hex SHA-256 (no path escapes) and writes nothing", async () => {
    for (const bad of ["../../etc/passwd", "A".repeat(64), "ab", `${"a".repeat(63)}/`]) {
      await expect(store.putBytes(bad, Buffer.from("x"), "text/plain")).rejects.toMatchObject({ code: ErrorCode.BadRequest });
      await expect(store.stat(bad)).rejects.toMatchObject({ code: ErrorCode.BadRequest });
    }
    expect(readdirSync(join(root, ".tmp"))).toEqual([]);
  });

  it("a put that fails leaves no temporary file and no blob", async () => {
    const key = "f".repeat(64);
    await expect(store.putFile(key, join(root, "no-such-source"), "text/plain")).rejects.toThrow();
    expect(await store.stat(key)).toBeNull();
    expect(readdirSync(join(root, ".tmp"))).toEqual([]);
  });
});
