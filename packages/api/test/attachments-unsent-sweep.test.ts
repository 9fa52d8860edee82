/**
 * The unsent-upload sweep (gateway.ts runs collectUnsent every DIM_UPLOAD_SWEEP_MS): an upload no
 * message used within DIM_UPLOAD_UNSENT_TTL_MS is deleted with its blobs on the embedded disk
 * store; a blob another row still uses stays; sent and fresh uploads stay. Rows are back-dated
 * instead of waiting for a TTL, so the real timer of a real gateway does the collecting.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { attachmentUrl, uploadResponse, type AttachmentRef } from "@dim/shared";
import { sleep } from "@dim/shared/async";
import { DiskBlobStore } from "@dim/infra";
import { collectUnsent } from "../src/attachments/attachment-rows";
import { befriend, msgId, useTestGateway, type TestGateway } from "./helpers";
import { countStored, download, PDF, png, upload } from "./attachment-helpers";

const blobDir = mkdtempSync(join(tmpdir(), "dim-sweep-blobs-"));
afterAll(() => rmSync(blobDir, { recursive: true, force: true }));
const blobs = new DiskBlobStore(blobDir);
const HOUR = 60 * 60 * 1000;
const gw = useTestGateway({ uploadSweepMs: 200, uploadUnsentTtlMs: HOUR }, { blobs: () => blobs });

async function uploaded(g: TestGateway, token: string, name: string, body: Buffer): Promise<AttachmentRef> {
  const res = await upload(g, token, name, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return uploadResponse.parse(await res.json()).attachment;
}

async function age(ids: string[], by = "2 hours"): Promise<void> {
  await gw.prisma.$executeRawUnsafe(`UPDATE attachments SET created_at = now() - interval '${by}' WHERE id = ANY($1::uuid[])`, ids);
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const keysOf = async (id: string) => {
  const row = await gw.prisma.attachment.findUniqueOrThrow({ where: { id } });
  return { sha256: row.sha256, thumb: row.thumbnailKey };
};

describe("the unsent-upload sweep (disk store)", () => {
  it("deletes old unsent uploads and their blobs (image: bytes and thumbnail), keeps sent, fresh and shared ones", async () => {
    const { A, B, conversationId } = await befriend(gw, "sweep_a", "sweep_b");
    const token = A.session.sessionToken;
    const image = await uploaded(gw, token, "old.png", await png(40, 30));
    const sharedBytes = Buffer.concat([PDF, Buffer.from("shared")]);
    const sent = await uploaded(gw, token, "sent.pdf", sharedBytes);
    const sameBytesUnsent = await uploaded(gw, token, "again.pdf", sharedBytes);
    const fresh = await uploaded(gw, token, "fresh.pdf", Buffer.concat([PDF, Buffer.from("fresh")]));
    await gw.store.append({ senderId: A.id, conversationId, clientMsgId: msgId(), kind: "file", body: "", attachmentId: sent.id });

    const imageKeys = await keysOf(image.id);
    const sharedKey = (await keysOf(sent.id)).sha256;
    const freshKey = (await keysOf(fresh.id)).sha256;
    expect(imageKeys.thumb).not.toBeNull();
    expect(await blobs.stat(imageKeys.sha256)).not.toBeNull();
    const before = await countStored(gw, blobDir);

    await age([image.id, sent.id, sameBytesUnsent.id]);
    // The sweep deletes the rows, then (after that commit) the blobs one by one: wait for its end.
    await until(
      async () =>
        (await gw.prisma.attachment.count({ where: { id: { in: [image.id, sameBytesUnsent.id] } } })) === 0 &&
        (await blobs.stat(imageKeys.sha256)) === null &&
        (await blobs.stat(imageKeys.thumb!)) === null,
      "the sweep",
    );

    expect(await blobs.stat(imageKeys.sha256)).toBeNull();
    expect(await blobs.stat(imageKeys.thumb!)).toBeNull();
    expect(await blobs.stat(sharedKey)).toEqual({ size: sharedBytes.length }); // the sent row still uses it
    expect(await blobs.stat(freshKey)).not.toBeNull();
    // two rows and two blobs (the image and its thumbnail) fewer; nothing else touched
    expect(await countStored(gw, blobDir)).toEqual({ rows: before.rows - 2, blobs: before.blobs - 2 });
    expect((await download(gw, B.session.sessionToken, attachmentUrl(sent.id))).status).toBe(200);
    expect((await download(gw, token, attachmentUrl(image.id))).status).toBe(404);
    expect((await download(gw, token, attachmentUrl(fresh.id))).status).toBe(200);
  });

  it("collectUnsent honours its TTL and limit, and a second sweeper at once deletes nothing twice", async () => {
    const { A } = await befriend(gw, "sweep_c", "sweep_d");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await uploaded(gw, A.session.sessionToken, `n${i}.pdf`, Buffer.concat([PDF, Buffer.from(`n${i}`)]))).id);
    // 30 minutes old: younger than the gateway's TTL (an hour), so its own sweep leaves them.
    await age(ids, "30 minutes");
    await sleep(500); // a few sweeps of the gateway pass
    expect(await gw.prisma.attachment.count({ where: { id: { in: ids } } })).toBe(5);

    // A TTL of 20 minutes: all five are due; two sweepers with a limit of 2 race.
    const [n1, n2] = await Promise.all([collectUnsent(gw.prisma, blobs, 20 * 60 * 1000, 2), collectUnsent(gw.prisma, blobs, 20 * 60 * 1000, 2)]);
    expect(n1 + n2).toBe(4);
    expect(await gw.prisma.attachment.count({ where: { id: { in: ids } } })).toBe(1);
    expect(await collectUnsent(gw.prisma, blobs, 20 * 60 * 1000, 10)).toBe(1);
    expect(await collectUnsent(gw.prisma, blobs, 20 * 60 * 1000, 10)).toBe(0);
  });
});
