/**
 * Images and files end to end through DimClient: the real gateway (file routes on the disk blob
 * store, sharp re-encoding) and two real core nodes on PostgreSQL. Ana sends a photo and a PDF,
 * Ben sees them (placeholder, thumbnail, bytes); the server refuses a file over its limit; an
 * attachment queued offline goes out when the client connects; a re-send after a lost `sent`
 * (a restart from the store) is stored once.
 */
import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { ErrorCode, type Message } from "@dim/shared";
import { createFileClient, MemoryClientStore, placeholderDataUrl, type ClientSnapshot, type OutboxItem } from "../src";
import { befriend, clientFor, eventually, gatewayUrl, register, stateOf, useRealStack } from "./real-stack";

const MAX_BYTES = 1_000_000;
useRealStack({ gateway: { uploadMaxBytes: MAX_BYTES } });

async function photo(width: number, height: number): Promise<File> {
  // Noise, so the encoder has something to chew on and the upload spans many chunks.
  const raw = randomBytes(width * height * 3);
  const bytes = await sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return new File([bytes], "beach.png", { type: "image/png" });
}

const PDF = new File(["%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"], "minutes.pdf", { type: "application/pdf" });

function received(messages: readonly { kind: string; clientMsgId: string }[], clientMsgId: string) {
  return messages.find((m) => m.clientMsgId === clientMsgId);
}

describe("attachments through DimClient on the real stack", () => {
  it("a photo and a PDF: uploaded with progress, sent, seen by the other with placeholder, thumbnail and bytes", async () => {
    const ana = await register("ana");
    const ben = await register("ben");
    const conv = await befriend(ana, ben);
    const a = clientFor(ana);
    const b = clientFor(ben);
    await Promise.all([a.connect(), b.connect()]);

    const image = await photo(640, 480);
    const progress: number[] = [];
    a.on("conversation", () => {
      const up = a.conversationMessages(conv).at(-1)?.upload;
      if (up?.status === "uploading") progress.push(up.loaded);
    });
    const m = a.sendAttachment(conv, image, { caption: "the beach" });
    await eventually(a, () => stateOf(a, conv, m.clientMsgId) === "sent" || stateOf(a, conv, m.clientMsgId) === "delivered", "photo sent");
    // Progress went up from 0 to every byte.
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(image.size);
    expect(progress.length).toBeGreaterThan(2);

    await eventually(b, () => received(b.conversationMessages(conv), m.clientMsgId) !== undefined, "Ben has the photo");
    const got = received(b.conversationMessages(conv), m.clientMsgId)!;
    const seen = b.conversationMessages(conv).find((x) => x.clientMsgId === m.clientMsgId)!;
    expect(got.kind).toBe("image");
    expect(seen).toMatchObject({ body: "the beach", own: false, attachment: { kind: "image", mime: "image/png", name: "beach.png", width: 640, height: 480, localFile: null } });
    expect(placeholderDataUrl(seen.attachment!.placeholder)).toMatch(/^data:image\/png;base64,/);

    const thumb = await b.thumbnail(seen.attachment!.id!);
    const tmeta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(tmeta).toMatchObject({ format: "webp", width: 320, height: 240 });
    const original = await createFileClient({ baseUrl: gatewayUrl(), sessionToken: ben.token }).download(seen.attachment!.id!);
    expect(await sharp(Buffer.from(await original.arrayBuffer())).metadata()).toMatchObject({ format: "png", width: 640, height: 480 });

    const f = a.sendAttachment(conv, PDF);
    await eventually(b, () => received(b.conversationMessages(conv), f.clientMsgId) !== undefined, "Ben has the PDF");
    const file = b.conversationMessages(conv).find((x) => x.clientMsgId === f.clientMsgId)!;
    expect(file).toMatchObject({ kind: "file", body: "", attachment: { kind: "file", mime: "application/pdf", name: "minutes.pdf", size: PDF.size } });
    const bytes = await createFileClient({ baseUrl: gatewayUrl(), sessionToken: ben.token }).download(file.attachment!.id!);
    expect(Buffer.from(await bytes.arrayBuffer()).equals(Buffer.from(await PDF.arrayBuffer()))).toBe(true);
    // A stranger gets nothing.
    const eve = await register("eve");
    await expect(createFileClient({ baseUrl: gatewayUrl(), sessionToken: eve.token }).download(file.attachment!.id!)).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it("a file over the server's limit fails with PAYLOAD_TOO_LARGE and its limit; nothing is sent", async () => {
    const ana = await register("ana");
    const ben = await register("ben");
    const conv = await befriend(ana, ben);
    const a = clientFor(ana);
    await a.connect();
    const big = new File([randomBytes(MAX_BYTES + 1)], "huge.bin", { type: "application/octet-stream" });
    const m = a.sendAttachment(conv, big);
    await eventually(a, () => stateOf(a, conv, m.clientMsgId) === "failed", "the upload is refused");
    const failed = a.conversationMessages(conv).find((x) => x.clientMsgId === m.clientMsgId)!;
    expect(failed.error).toMatchObject({ code: ErrorCode.PayloadTooLarge, details: { maxBytes: MAX_BYTES } });
    a.discard(m.clientMsgId);
    expect(a.outbox).toEqual([]);
    const { messages } = await ana.api.conversations.history.query({ conversationId: conv });
    expect(messages).toEqual([]);
  });

  it("queued offline, it uploads and goes out once the client connects", async () => {
    const ana = await register("ana");
    const ben = await register("ben");
    const conv = await befriend(ana, ben);
    const b = clientFor(ben);
    await b.connect();
    const a = clientFor(ana);
    const m = a.sendAttachment(conv, PDF, { caption: "for later" });
    expect(a.conversationMessages(conv)[0]!.upload).toMatchObject({ status: "waiting" });
    await a.connect();
    await eventually(b, () => received(b.conversationMessages(conv), m.clientMsgId) !== undefined, "Ben has it");
    expect(b.conversationMessages(conv).find((x) => x.clientMsgId === m.clientMsgId)).toMatchObject({ body: "for later", kind: "file" });
  });

  it("a re-send after a lost `sent` (restart from the store) is stored once, with the same attachment", async () => {
    const ana = await register("ana");
    const ben = await register("ben");
    const conv = await befriend(ana, ben);
    // What the store held the moment the upload was done and the send written: the outbox item with its attachment.
    let uploaded: OutboxItem | null = null;
    const store = new (class extends MemoryClientStore {
      override async saveOutboxItem(item: OutboxItem): Promise<void> {
        if (item.attachment?.uploaded && !uploaded) uploaded = structuredClone(item);
        return super.saveOutboxItem(item);
      }
    })();
    const a = clientFor(ana, store);
    await a.connect();
    const m = a.sendAttachment(conv, PDF);
    await eventually(a, () => stateOf(a, conv, m.clientMsgId) === "sent" || stateOf(a, conv, m.clientMsgId) === "delivered", "stored");
    await a.stop();
    expect(uploaded).not.toBeNull();

    // A device that never got the `sent`: its store still has the item in the outbox.
    const stale = new MemoryClientStore();
    const snapshot: ClientSnapshot = await store.load();
    await stale.saveUserId(snapshot.userId!);
    await stale.saveOutboxItem(uploaded!);
    const again = clientFor(ana, stale);
    await again.connect();
    await eventually(again, () => stateOf(again, conv, m.clientMsgId) === "sent" || stateOf(again, conv, m.clientMsgId) === "delivered", "confirmed again");
    const { messages } = await ana.api.conversations.history.query({ conversationId: conv });
    expect(messages.map((x: Message) => [x.clientMsgId, x.attachment?.id])).toEqual([[m.clientMsgId, uploaded!.attachment!.uploaded!.id]]);
  });
});
