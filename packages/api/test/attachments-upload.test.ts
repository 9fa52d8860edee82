/**
 * Uploads and downloads over real HTTP against the standalone gateway with the disk blob store:
 * an image is re-encoded (orientation applied, EXIF/GPS gone, dimensions, thumbnail, ThumbHash),
 * anything else is a file served as a download; ranges; who may download.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { attachmentUrl, thumbnailUrl, uploadResponse, type AttachmentRef } from "@dim/shared";
import { DiskBlobStore } from "@dim/infra";
import { befriend, useTestGateway } from "./helpers";
import { countStored, download, orientedJpeg, PDF, png, upload } from "./attachment-helpers";

const blobDir = mkdtempSync(join(tmpdir(), "dim-blobs-"));
afterAll(() => rmSync(blobDir, { recursive: true, force: true }));
const gw = useTestGateway({ uploadSweepMs: 0 }, { blobs: () => new DiskBlobStore(blobDir) });

async function uploaded(res: Response): Promise<AttachmentRef> {
  expect(res.status, await res.clone().text()).toBe(201);
  return uploadResponse.parse(await res.json()).attachment;
}

describe("upload", () => {
  it("re-encodes an image: orientation applied, metadata stripped, thumbnail and placeholder", async () => {
    const A = await gw.register("img_owner");
    const source = await orientedJpeg();
    // The fixture does carry EXIF: orientation, a camera model and GPS.
    expect(await sharp(source).metadata()).toMatchObject({ orientation: 6, exif: expect.any(Buffer) });
    expect(source.includes(Buffer.from("SecretCam"))).toBe(true);
    const att = await uploaded(await upload(gw, A.session.sessionToken, "holiday.jpg", source, { "content-type": "image/jpeg" }));
    // Orientation 6 turns 64 × 32 into 32 × 64.
    expect(att).toMatchObject({ kind: "image", mime: "image/jpeg", name: "holiday.jpg", width: 32, height: 64 });
    expect(att.placeholder).toMatch(/^[A-Za-z0-9+/=]{10,}$/);

    const res = await download(gw, A.session.sessionToken, attachmentUrl(att.id));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-disposition")).toMatch(/^inline;/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(att.size);
    const meta = await sharp(bytes).metadata();
    expect(meta).toMatchObject({ width: 32, height: 64 });
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(bytes.includes(Buffer.from("SecretCam"))).toBe(false);

    const thumb = await download(gw, A.session.sessionToken, thumbnailUrl(att.id));
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("content-type")).toBe("image/webp");
    const tmeta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(tmeta.format).toBe("webp");
    expect(Math.max(tmeta.width!, tmeta.height!)).toBeLessThanOrEqual(320);
  });

  it("keeps anything else as a file, served as a download, with ranges", async () => {
    const A = await gw.register("file_owner");
    const att = await uploaded(await upload(gw, A.session.sessionToken, "report.pdf", PDF, { "content-type": "text/html" }));
    expect(att).toEqual({ id: att.id, kind: "file", mime: "application/pdf", name: "report.pdf", size: PDF.length });

    const res = await download(gw, A.session.sessionToken, attachmentUrl(att.id));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("sandbox");
    expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).toBe(true);

    const part = await download(gw, A.session.sessionToken, attachmentUrl(att.id), { range: "bytes=5-9" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 5-9/${PDF.length}`);
    expect(Buffer.from(await part.arrayBuffer()).toString()).toBe(PDF.subarray(5, 10).toString());
    const tail = await download(gw, A.session.sessionToken, attachmentUrl(att.id), { range: "bytes=-4" });
    expect(Buffer.from(await tail.arrayBuffer()).toString()).toBe(PDF.subarray(-4).toString());
    const beyond = await download(gw, A.session.sessionToken, attachmentUrl(att.id), { range: `bytes=${PDF.length}-` });
    expect(beyond.status).toBe(416);
    expect((await download(gw, A.session.sessionToken, thumbnailUrl(att.id))).status).toBe(404);
  });

  it("HTML and SVG are files, never served inline as themselves", async () => {
    const A = await gw.register("svg_owner");
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const att = await uploaded(await upload(gw, A.session.sessionToken, "logo.svg", svg, { "content-type": "image/svg+xml" }));
    expect(att.kind).toBe("file");
    const res = await download(gw, A.session.sessionToken, attachmentUrl(att.id));
    expect(res.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(res.headers.get("content-type")).not.toMatch(/svg|html/);
  });

  it("stores one blob for the same bytes uploaded twice", async () => {
    const A = await gw.register("dedupe_owner");
    const before = await countStored(gw, blobDir);
    const bytes = await png(10, 10);
    const one = await uploaded(await upload(gw, A.session.sessionToken, "a.png", bytes));
    const two = await uploaded(await upload(gw, A.session.sessionToken, "b.png", bytes));
    expect(one.id).not.toBe(two.id);
    const after = await countStored(gw, blobDir);
    expect(after.rows - before.rows).toBe(2);
    expect(after.blobs - before.blobs).toBe(2); // the image and its thumbnail, once
  });

  it("only the owner (before sending) and members who see the message may download", async () => {
    const { A, B, conversationId } = await befriend(gw, "dl_a", "dl_b");
    const C = await gw.register("dl_c");
    const att = await uploaded(await upload(gw, A.session.sessionToken, "x.png", await png(8, 8)));
    // Unsent: only its owner.
    expect((await download(gw, B.session.sessionToken, attachmentUrl(att.id))).status).toBe(404);
    expect((await download(gw, null, attachmentUrl(att.id))).status).toBe(401);

    await gw.store.append({ senderId: A.id, conversationId, clientMsgId: "dl-send-0001", kind: "image", body: "", attachmentId: att.id });
    expect((await download(gw, B.session.sessionToken, attachmentUrl(att.id))).status).toBe(200);
    expect((await download(gw, B.session.sessionToken, thumbnailUrl(att.id))).status).toBe(200);
    const denied = await download(gw, C.session.sessionToken, attachmentUrl(att.id));
    expect(denied.status).toBe(404);
    expect(await denied.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
    expect((await download(gw, C.session.sessionToken, `/api/files/not-a-uuid`)).status).toBe(404);
  });
});
