/**
 * Each bad upload gets its typed error and leaves nothing behind: no row, no blob, no temporary
 * upload file. The oversize body is stopped while it streams (the server reads little past the cap).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UPLOAD_ENDPOINT } from "@dim/shared";
import { DiskBlobStore } from "@dim/infra";
import { useTestGateway } from "./helpers";
import { bombPng, countStored, orientedJpeg, PDF, png, upload } from "./attachment-helpers";

const MAX = 256 * 1024;
// A private TMPDIR for this worker (the gateway runs in it): the upload route's temporary files
// land in <TMPDIR>/dim-uploads, so the test sees exactly its own and can tell one was left behind.
const privateTmp = mkdtempSync(join(tmpdir(), "dim-bad-uploads-"));
process.env.TMPDIR = privateTmp;
const uploadTmp = join(privateTmp, "dim-uploads");
const tempFiles = () => (existsSync(uploadTmp) ? readdirSync(uploadTmp).length : 0);
const blobDir = mkdtempSync(join(tmpdir(), "dim-blobs-"));
afterAll(() => {
  rmSync(blobDir, { recursive: true, force: true });
  rmSync(privateTmp, { recursive: true, force: true });
});
const gw = useTestGateway(
  { uploadSweepMs: 0, uploadMaxBytes: MAX, uploadMaxPixels: 10_000_000, uploadsMaxPerUser: 1000 },
  { blobs: () => new DiskBlobStore(blobDir) },
);
let token: string;
beforeAll(async () => {
  token = (await gw.register("bad_uploader")).session.sessionToken;
});

async function expectRefused(res: Response, status: number, code: string, reason?: string): Promise<void> {
  const body = (await res.json()) as { error: { code: string; details?: { reason?: string } } };
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.error.code).toBe(code);
  if (reason) expect(body.error.details?.reason).toBe(reason);
  expect(await countStored(gw, blobDir)).toEqual({ rows: 0, blobs: 0 });
  expect(tempFiles()).toBe(0);
}

/** Polls `ok` (every 20 ms, 10 s at most): for what the server does after the client is gone. */
async function until(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("bad uploads", () => {
  it("oversize by Content-Length: refused before reading", async () => {
    await expectRefused(await upload(gw, token, "big.bin", Buffer.alloc(MAX + 1)), 413, "PAYLOAD_TOO_LARGE");
  });

  it("oversize while streaming (no Content-Length): cut off early", async () => {
    const url = new URL(`${gw.server.url}${UPLOAD_ENDPOINT}?name=stream.bin`);
    let written = 0;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "transfer-encoding": "chunked" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on("error", (err) => (written > MAX ? undefined : reject(err)));
      const piece = Buffer.alloc(16 * 1024, 7);
      // Up to 64 × the cap; the answer must come long before.
      const pump = () => {
        while (written < 64 * MAX && !req.destroyed) {
          written += piece.length;
          if (!req.write(piece)) return void req.once("drain", pump);
        }
        if (!req.destroyed) req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(written).toBeLessThan(16 * MAX);
    expect(await countStored(gw, blobDir)).toEqual({ rows: 0, blobs: 0 });
    expect(tempFiles()).toBe(0);
  });

  it("zero bytes", async () => {
    await expectRefused(await upload(gw, token, "empty.txt", Buffer.alloc(0)), 422, "INVALID_ATTACHMENT", "empty");
  });

  it("a truncated body (the connection ends before Content-Length)", async () => {
    const url = new URL(`${gw.server.url}${UPLOAD_ENDPOINT}?name=cut.bin`);
    const req = request(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-length": "10000" } });
    req.on("error", () => {});
    req.write(Buffer.alloc(4000, 1));
    // The server has begun the upload once its temporary file exists; then the client goes away.
    await until(() => tempFiles() === 1, "the server to start receiving");
    req.destroy();
    // The server notices the broken body, and removes what it wrote.
    await until(() => tempFiles() === 0, "the temporary file to be removed");
    expect(await countStored(gw, blobDir)).toEqual({ rows: 0, blobs: 0 });
  });

  it("a type that lies: the name or the Content-Type claims an image the bytes are not", async () => {
    await expectRefused(await upload(gw, token, "cat.png", PDF), 422, "INVALID_ATTACHMENT", "type_mismatch");
    await expectRefused(await upload(gw, token, "cat", PDF, { "content-type": "image/jpeg" }), 422, "INVALID_ATTACHMENT", "type_mismatch");
    await expectRefused(await upload(gw, token, "cat.gif", await orientedJpeg()), 422, "INVALID_ATTACHMENT", "type_mismatch");
  });

  it("a decompression bomb: a tiny PNG with huge dimensions", async () => {
    const bomb = bombPng(100_000, 100_000);
    expect(bomb.length).toBeLessThan(2000);
    await expectRefused(await upload(gw, token, "bomb.png", bomb), 422, "INVALID_ATTACHMENT", "too_many_pixels");
  });

  it("a corrupt image: PNG magic, broken body; a JPEG cut in half", async () => {
    // A real PNG whose compressed pixels (after the 33 bytes of signature and IHDR) are overwritten.
    const broken = Buffer.from(await png(300, 300));
    broken.fill(0x41, 45, broken.length - 12);
    await expectRefused(await upload(gw, token, "broken.png", broken), 422, "INVALID_ATTACHMENT", "corrupt_image");
    const jpeg = await orientedJpeg();
    await expectRefused(await upload(gw, token, "half.jpg", jpeg.subarray(0, Math.floor(jpeg.length / 2))), 422, "INVALID_ATTACHMENT", "corrupt_image");
  });

  it("file names with path parts or control characters, or none", async () => {
    for (const name of ["../etc/passwd", "a/b.txt", "a\\b.txt", "..", "bell\u0007.txt", "nul\u0000.txt", "evil\u202Etxt.exe", " ", "x".repeat(256)]) {
      await expectRefused(await upload(gw, token, name, PDF), 422, "INVALID_ATTACHMENT", "bad_filename");
    }
    await expectRefused(await upload(gw, token, null, PDF), 422, "INVALID_ATTACHMENT", "bad_filename");
  });

  it("no session: UNAUTHORIZED; wrong method: 405", async () => {
    await expectRefused(await upload(gw, null, "a.pdf", PDF), 401, "UNAUTHORIZED");
    const res = await fetch(`${gw.server.url}${UPLOAD_ENDPOINT}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(405);
  });
});

describe("quotas", () => {
  const q = useTestGateway(
    { uploadSweepMs: 0, uploadsMaxPerUser: 2, uploadWindowMs: 60_000, uploadBytesPerDay: 1000 },
    { blobs: () => new DiskBlobStore(mkdtempSync(join(tmpdir(), "dim-blobs-q-"))) },
  );

  it("bytes per day: an upload past what is left is RATE_LIMITED and stored nothing", async () => {
    const A = await q.register("quota_bytes");
    expect((await upload(q, A.session.sessionToken, "a.pdf", Buffer.concat([PDF, Buffer.alloc(700)]))).status).toBe(201);
    const res = await upload(q, A.session.sessionToken, "b.pdf", Buffer.concat([PDF, Buffer.alloc(300)]));
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
    expect(await q.prisma.attachment.count({ where: { ownerId: A.id } })).toBe(1);
  });

  it("uploads per window: RATE_LIMITED with Retry-After", async () => {
    const B = await q.register("quota_rate");
    expect((await upload(q, B.session.sessionToken, "1.pdf", PDF)).status).toBe(201);
    expect((await upload(q, B.session.sessionToken, "2.pdf", PDF)).status).toBe(201);
    const res = await upload(q, B.session.sessionToken, "3.pdf", PDF);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
