/**
 * The cluster mode's blob store against the real S3 server of the cluster services (Versity
 * Gateway on loopback, scripts/infra/s3-service.ts): bucket created on open, bytes and files
 * stored under their key, whole and ranged reads, missing keys, idempotent delete, presigned GET
 * URLs (answered with the requested type and disposition, refused when tampered with or expired),
 * keys checked before any request, wrong credentials refused, a restart of the server survived.
 * Each run uses a bucket of its own.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "@dim/shared";
import { sleep } from "@dim/shared/async";
import { blobConfigSchema, createBlobStore } from "../../src/blob/config";
import { S3BlobStore, type S3BlobStoreOptions } from "../../src/blob/s3-blob-store";
import { dropBucket } from "../../../../scripts/infra/s3-drop-bucket";
import { clusterState, control } from "./cluster-env";

const keyOf = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function bytesOf(stream: Readable | null): Promise<Buffer | null> {
  if (!stream) return null;
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

const bucket = `dim-test-${randomBytes(4).toString("hex")}`;
let opts: S3BlobStoreOptions;
let store: S3BlobStore;
const tmp = mkdtempSync(join(tmpdir(), "dim-s3-test-"));

beforeAll(async () => {
  const { s3 } = clusterState();
  opts = { endpoint: s3.endpoint, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, bucket };
  store = await S3BlobStore.open(opts);
});
afterAll(async () => {
  await store?.close();
  const { s3 } = clusterState();
  await dropBucket(s3, bucket);
  await dropBucket(s3, bucket); // idempotent
  expect(existsSync(join(clusterState().runDir, "s3", "data", bucket))).toBe(false);
  rmSync(tmp, { recursive: true, force: true });
});

describe("S3BlobStore on Versity Gateway", () => {
  it("creates its bucket once: opening again finds it", async () => {
    const again = await S3BlobStore.open(opts);
    try {
      expect(again.kind).toBe("s3");
      expect(await again.stat(keyOf(Buffer.from("nothing here")))).toBeNull();
    } finally {
      await again.close();
      await again.close(); // idempotent
    }
  });

  it("stores bytes under their key, reads them whole and by range, deletes idempotently", async () => {
    const bytes = randomBytes(200_000);
    const key = keyOf(bytes);
    expect(await store.stat(key)).toBeNull();
    expect(await store.read(key)).toBeNull();
    expect(await store.read(key, { start: 0, end: 9 })).toBeNull();

    await store.putBytes(key, bytes, "application/octet-stream");
    expect(await store.stat(key)).toEqual({ size: bytes.length });
    expect((await bytesOf(await store.read(key)))!.equals(bytes)).toBe(true);
    expect((await bytesOf(await store.read(key, { start: 1000, end: 1999 })))!.equals(bytes.subarray(1000, 2000))).toBe(true);
    expect((await bytesOf(await store.read(key, { start: bytes.length - 1, end: bytes.length - 1 })))!.equals(bytes.subarray(-1))).toBe(true);

    // the same key again (content addressing): overwrite is fine, the bytes are the same
    await store.putBytes(key, bytes, "application/octet-stream");
    expect(await store.stat(key)).toEqual({ size: bytes.length });

    await store.delete(key);
    await store.delete(key);
    expect(await store.stat(key)).toBeNull();
    expect(await store.read(key)).toBeNull();
  });

  it("stores a file from disk (streamed with its length)", async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const src = join(tmp, "upload.bin");
    writeFileSync(src, bytes);
    const key = keyOf(bytes);
    await store.putFile(key, src, "application/pdf");
    expect(await store.stat(key)).toEqual({ size: bytes.length });
    expect((await bytesOf(await store.read(key)))!.equals(bytes)).toBe(true);
    await store.delete(key);
  });

  it("a missing source file fails the put and stores nothing", async () => {
    const key = "e".repeat(64);
    await expect(store.putFile(key, join(tmp, "no-such-file"), "text/plain")).rejects.toThrow();
    expect(await store.stat(key)).toBeNull();
  });

  it("presigns GET URLs that serve the blob with the given type and disposition, and nothing else", async () => {
    const bytes = Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>");
    const key = keyOf(bytes);
    await store.putBytes(key, bytes, "image/svg+xml");
    const url = await store.presignGet(key, {
      expiresInSeconds: 60,
      contentType: "application/octet-stream",
      contentDisposition: 'attachment; filename="x.svg"',
    });
    expect(url.startsWith(`${opts.endpoint}/${bucket}/${key}?`)).toBe(true);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="x.svg"');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);

    // a range through the presigned URL (media seeking without the gateway)
    const ranged = await fetch(url, { headers: { range: "bytes=1-3" } });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe(bytes.subarray(1, 4).toString());

    // the signature covers the key and the response headers: changing either is refused
    const otherKey = url.replace(key, "0".repeat(64));
    expect((await fetch(otherKey)).status).toBe(403);
    const otherType = url.replace(/response-content-type=[^&]+/, "response-content-type=text%2Fhtml");
    expect(otherType).not.toBe(url);
    expect((await fetch(otherType)).status).toBe(403);
    // and so is the object without any signature
    expect((await fetch(`${opts.endpoint}/${bucket}/${key}`)).status).toBe(403);
    await store.delete(key);
  });

  it("a presigned URL stops working when it expires", async () => {
    const bytes = Buffer.from("short-lived");
    const key = keyOf(bytes);
    await store.putBytes(key, bytes, "text/plain");
    const url = await store.presignGet(key, { expiresInSeconds: 1, contentType: "text/plain", contentDisposition: "inline" });
    expect((await fetch(url)).status).toBe(200);
    await sleep(2_500);
    expect((await fetch(url)).status).toBe(403);
    await store.delete(key);
  });

  it("refuses a key that is not a lower-case hex SHA-256 before sending anything", async () => {
    for (const bad of ["../other-bucket/x", "A".repeat(64), "ab", `${"a".repeat(63)}/`]) {
      await expect(store.putBytes(bad, Buffer.from("x"), "text/plain")).rejects.toMatchObject({ code: ErrorCode.BadRequest });
      await expect(store.stat(bad)).rejects.toMatchObject({ code: ErrorCode.BadRequest });
      await expect(store.read(bad)).rejects.toMatchObject({ code: ErrorCode.BadRequest });
      await expect(store.delete(bad)).rejects.toMatchObject({ code: ErrorCode.BadRequest });
      expect(() => store.presignGet(bad, { expiresInSeconds: 60, contentType: "x/y", contentDisposition: "inline" })).toThrow();
    }
  });

  it("wrong credentials are refused at open (no bucket is made)", async () => {
    const wrong = { ...opts, bucket: `dim-test-${randomBytes(4).toString("hex")}`, secretAccessKey: "not-the-secret" };
    await expect(S3BlobStore.open(wrong)).rejects.toThrow();
    // versitygw's posix backend: one directory per bucket under <runDir>/s3/data
    const { runDir } = clusterState();
    expect(existsSync(join(runDir, "s3", "data", bucket))).toBe(true);
    expect(existsSync(join(runDir, "s3", "data", wrong.bucket))).toBe(false);
  });

  it("objects and credentials survive a restart of the S3 server (same port, same data)", async () => {
    const bytes = randomBytes(1000);
    const key = keyOf(bytes);
    await store.putBytes(key, bytes, "application/octet-stream");
    const before = clusterState().s3;
    const after = (await control().restart("s3")).s3;
    expect(after.pid).not.toBe(before.pid);
    expect({ port: after.port, accessKeyId: after.accessKeyId, secretAccessKey: after.secretAccessKey }).toEqual({
      port: before.port,
      accessKeyId: before.accessKeyId,
      secretAccessKey: before.secretAccessKey,
    });
    // the same client object, no re-open: the server is back with the object
    expect((await bytesOf(await store.read(key)))!.equals(bytes)).toBe(true);
    await store.delete(key);
  });

  it("createBlobStore picks this store in cluster mode from the environment the launcher gives", async () => {
    const { s3 } = clusterState();
    const config = blobConfigSchema.parse({
      DIM_MODE: "cluster",
      DIM_S3_ENDPOINT: s3.endpoint,
      DIM_S3_REGION: s3.region,
      DIM_S3_ACCESS_KEY_ID: s3.accessKeyId,
      DIM_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      DIM_S3_BUCKET: bucket,
    });
    const fromEnv = await createBlobStore(config);
    try {
      expect(fromEnv.kind).toBe("s3");
      const bytes = Buffer.from("via createBlobStore");
      await fromEnv.putBytes(keyOf(bytes), bytes, "text/plain");
      expect(await store.stat(keyOf(bytes))).toEqual({ size: bytes.length });
      await fromEnv.delete(keyOf(bytes));
    } finally {
      await fromEnv.close();
    }
  });
});
