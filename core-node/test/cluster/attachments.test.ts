/**
 * Attachments in cluster mode, end to end: the standalone gateway stores uploads on the services'
 * S3 server (Versity Gateway, a bucket per run), two core node processes route the image / file
 * messages through Kafka, and the bytes come back through the gateway's download route. Also:
 * the same upload sent at once from two nodes binds to exactly one message (the other send gets
 * CONFLICT and stores nothing), and the unsent-upload sweep removes rows and their S3 objects.
 */
import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { attachmentUrl, messageSchema, thumbnailUrl, UPLOAD_ENDPOINT, uploadResponse, type AttachmentRef } from "@dim/shared";
import { TestClient } from "../helpers/test-client";
import { eventually, useSystem, type ClusterSystem, type Person } from "./system";

// The sweep runs often here; only rows the sweep test back-dates are old enough to collect.
const system = useSystem({ label: "files", nodes: 2, gatewayConfig: { uploadSweepMs: 300, uploadUnsentTtlMs: 60 * 60 * 1000 } });

const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
let msgCounter = 0;
const clientMsgId = () => `files-${process.pid}-${++msgCounter}`;

async function upload(person: Person, name: string, body: Buffer): Promise<AttachmentRef> {
  const res = await fetch(`${system.gateway.url}${UPLOAD_ENDPOINT}?name=${encodeURIComponent(name)}`, {
    method: "POST",
    body,
    headers: { authorization: `Bearer ${person.token}` },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return uploadResponse.parse(await res.json()).attachment;
}

function download(person: Person, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${system.gateway.url}${path}`, { headers: { authorization: `Bearer ${person.token}`, ...headers } });
}

/** A raw socket for `person` on a node the gateway assigns (skipping `exclude`). */
async function socketOf(sys: ClusterSystem, person: Person, exclude: string[] = []): Promise<{ nodeId: string; socket: TestClient }> {
  const { nodeId, wsUrl, token } = await person.api.nodes.assign.mutate({ exclude });
  const socket = await TestClient.connect(wsUrl);
  socket.send({ type: "auth", v: 1, token });
  await socket.next("welcome", undefined, 15_000);
  sockets.push(socket);
  expect(sys.nodes.has(nodeId)).toBe(true);
  return { nodeId, socket };
}
const sockets: TestClient[] = [];

async function bytesOf(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

/** The S3 object behind a key, read straight from the store (not through the gateway). */
async function s3Object(key: string): Promise<Buffer | null> {
  const stream = await system.blobs.read(key);
  if (!stream) return null;
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

describe("cluster mode: attachments on S3 across two nodes", () => {
  it("an image and a PDF uploaded through the gateway go to S3, are sent across nodes and downloaded", async () => {
    expect(system.blobs.kind).toBe("s3");
    const [alice, bob, eve] = await Promise.all([system.register("alice"), system.register("bob"), system.register("eve")]);
    const conv = await system.befriend(alice, bob);
    const a = await socketOf(system, alice);
    const b = await socketOf(system, bob, [a.nodeId]);
    expect(b.nodeId).not.toBe(a.nodeId);

    const source = await sharp({ create: { width: 96, height: 48, channels: 3, background: { r: 10, g: 160, b: 90 } } }).png().toBuffer();
    const image = await upload(alice, "meadow.png", source);
    expect(image).toMatchObject({ kind: "image", mime: "image/png", width: 96, height: 48, name: "meadow.png" });
    const file = await upload(alice, "minutes.pdf", PDF);
    expect(file).toMatchObject({ kind: "file", mime: "application/pdf", size: PDF.length });

    // The bytes are in S3, under their content addresses.
    const rows = await system.prisma.attachment.findMany({ where: { id: { in: [image.id, file.id] } } });
    const imageRow = rows.find((r) => r.id === image.id)!;
    const fileRow = rows.find((r) => r.id === file.id)!;
    expect((await s3Object(fileRow.sha256))?.equals(PDF)).toBe(true);
    expect((await s3Object(imageRow.sha256))?.length).toBe(image.size);
    expect(imageRow.thumbnailKey).not.toBeNull();
    expect(await system.blobs.stat(imageRow.thumbnailKey!)).not.toBeNull();

    const imageMsg = clientMsgId();
    a.socket.send({ type: "send", conversationId: conv, clientMsgId: imageMsg, kind: "image", attachmentId: image.id, caption: "look" });
    expect(await a.socket.next("sent", (f) => f.clientMsgId === imageMsg, 15_000)).toMatchObject({ duplicate: false });
    const fileMsg = clientMsgId();
    a.socket.send({ type: "send", conversationId: conv, clientMsgId: fileMsg, kind: "file", attachmentId: file.id });
    await a.socket.next("sent", (f) => f.clientMsgId === fileMsg, 15_000);

    // Bob, on the other node, gets both pushed with their attachments.
    const pushedImage = (await b.socket.next("message", (f) => f.message.clientMsgId === imageMsg, 15_000)).message;
    const pushedFile = (await b.socket.next("message", (f) => f.message.clientMsgId === fileMsg, 15_000)).message;
    expect(messageSchema.safeParse(pushedImage).success).toBe(true);
    expect(pushedImage).toMatchObject({ kind: "image", body: "look", attachment: image });
    expect(pushedFile).toMatchObject({ kind: "file", body: "", attachment: file });

    // Bob downloads them through the gateway: the very bytes S3 holds.
    const got = await download(bob, attachmentUrl(image.id));
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("image/png");
    const gotBytes = await bytesOf(got);
    expect(gotBytes.equals((await s3Object(imageRow.sha256))!)).toBe(true);
    expect(await sharp(gotBytes).metadata()).toMatchObject({ width: 96, height: 48 });
    const thumb = await download(bob, thumbnailUrl(image.id));
    expect(thumb.status).toBe(200);
    expect((await sharp(await bytesOf(thumb)).metadata()).format).toBe("webp");

    const pdf = await download(bob, attachmentUrl(file.id));
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect((await bytesOf(pdf)).equals(PDF)).toBe(true);
    const part = await download(bob, attachmentUrl(file.id), { range: "bytes=0-7" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 0-7/${PDF.length}`);
    expect((await bytesOf(part)).toString()).toBe("%PDF-1.4");

    // Someone outside the conversation: 404, as for an id that does not exist.
    expect((await download(eve, attachmentUrl(image.id))).status).toBe(404);
    expect((await download(eve, attachmentUrl(file.id))).status).toBe(404);
    for (const s of sockets.splice(0)) s.close();
  });

  it("one upload sent at once from two nodes (and twice from one socket): exactly one message has it, the other send gets CONFLICT", async () => {
    const [alice, bob, carol] = await Promise.all([system.register("ann"), system.register("ben"), system.register("cid")]);
    const ab = await system.befriend(alice, bob);
    const ac = await system.befriend(alice, carol);
    const one = await socketOf(system, alice);
    const two = await socketOf(system, alice, [one.nodeId]);
    expect(two.nodeId).not.toBe(one.nodeId);

    const rounds = 4;
    for (let round = 0; round < rounds; round++) {
      const att = await upload(alice, `r${round}.pdf`, Buffer.concat([PDF, randomBytes(8)]));
      // Two nodes, two conversations, the same attachment, written in the same tick.
      const [idOne, idTwo] = [clientMsgId(), clientMsgId()];
      one.socket.send({ type: "send", conversationId: ab, clientMsgId: idOne, kind: "file", attachmentId: att.id });
      two.socket.send({ type: "send", conversationId: ac, clientMsgId: idTwo, kind: "file", attachmentId: att.id });
      const outcome = async (socket: TestClient, id: string) =>
        Promise.race([
          socket.next("sent", (f) => f.clientMsgId === id, 20_000).then((f) => ({ sent: f })),
          socket.next("error", (f) => f.ref === id, 20_000).then((f) => ({ error: f })),
        ]);
      const results = await Promise.all([outcome(one.socket, idOne), outcome(two.socket, idTwo)]);
      const sent = results.flatMap((r) => ("sent" in r ? [r.sent] : []));
      const errors = results.flatMap((r) => ("error" in r ? [r.error] : []));
      expect(sent, JSON.stringify(results)).toHaveLength(1);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: "CONFLICT" });

      // In the database: one message carries it, in one conversation; the row points at it.
      const carrying = await system.prisma.message.findMany({ where: { attachment: { path: ["id"], equals: att.id } } });
      expect(carrying.map((m) => m.id)).toEqual([sent[0]!.messageId]);
      const row = await system.prisma.attachment.findUniqueOrThrow({ where: { id: att.id } });
      expect(row.messageId).toBe(sent[0]!.messageId);
      expect(row.conversationId).toBe(carrying[0]!.conversationId);
    }
    // Nothing doubled: `rounds` messages in all, each conversation's seqs without gaps.
    const stored = [...(await system.dbMessages(ab)), ...(await system.dbMessages(ac))];
    expect(stored).toHaveLength(rounds);
    for (const conv of [ab, ac]) {
      const seqs = (await system.dbMessages(conv)).map((m) => m.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }

    // Twice from one socket, two clientMsgIds: the first wins, the second is CONFLICT …
    const att = await upload(alice, "twice.pdf", Buffer.concat([PDF, randomBytes(8)]));
    const [first, second] = [clientMsgId(), clientMsgId()];
    one.socket.send({ type: "send", conversationId: ab, clientMsgId: first, kind: "file", attachmentId: att.id });
    one.socket.send({ type: "send", conversationId: ab, clientMsgId: second, kind: "file", attachmentId: att.id });
    const won = await one.socket.next("sent", (f) => f.clientMsgId === first, 15_000);
    expect(await one.socket.next("error", (f) => f.ref === second, 15_000)).toMatchObject({ code: "CONFLICT" });
    // … while a re-send of the winner's own clientMsgId (a retry) is its duplicate, not an error.
    one.socket.send({ type: "send", conversationId: ab, clientMsgId: first, kind: "file", attachmentId: att.id });
    expect(await one.socket.next("sent", (f) => f.clientMsgId === first, 15_000)).toMatchObject({ messageId: won.messageId, duplicate: true });
    expect(await system.prisma.message.count({ where: { attachment: { path: ["id"], equals: att.id } } })).toBe(1);
    for (const s of sockets.splice(0)) s.close();
  });

  it("the sweep removes unsent uploads past their TTL and their S3 objects, and keeps what a message uses", async () => {
    const [alice, bob] = await Promise.all([system.register("ida"), system.register("jon")]);
    const conv = await system.befriend(alice, bob);
    const a = await socketOf(system, alice);
    const unique = Buffer.concat([PDF, randomBytes(16)]);
    const shared = Buffer.concat([PDF, randomBytes(16)]);
    const unsent = await upload(alice, "never-sent.pdf", unique);
    const sentCopy = await upload(alice, "shared.pdf", shared);
    const unsentCopy = await upload(alice, "shared-again.pdf", shared); // same bytes: one S3 object
    const fresh = await upload(alice, "fresh.pdf", Buffer.concat([PDF, randomBytes(16)]));
    const id = clientMsgId();
    a.socket.send({ type: "send", conversationId: conv, clientMsgId: id, kind: "file", attachmentId: sentCopy.id });
    await a.socket.next("sent", (f) => f.clientMsgId === id, 15_000);

    const keyOf = async (attId: string) => (await system.prisma.attachment.findUniqueOrThrow({ where: { id: attId } })).sha256;
    const [uniqueKey, sharedKey, freshKey] = [await keyOf(unsent.id), await keyOf(sentCopy.id), await keyOf(fresh.id)];
    // Older than the TTL (an hour), all but `fresh`: the sweep every 300 ms takes what is unsent.
    await system.prisma.$executeRaw`
      UPDATE attachments SET created_at = now() - interval '2 hours' WHERE id = ANY(${[unsent.id, sentCopy.id, unsentCopy.id]}::uuid[])`;
    await eventually(async () => {
      const left = await system.prisma.attachment.count({ where: { id: { in: [unsent.id, unsentCopy.id] } } });
      if (left > 0) throw new Error(`${left} unsent uploads still there`);
    }, "the sweep to collect the old unsent uploads");

    expect(await system.blobs.stat(uniqueKey)).toBeNull();
    expect(await system.blobs.stat(sharedKey)).toEqual({ size: shared.length }); // the sent message still uses it
    expect(await system.blobs.stat(freshKey)).not.toBeNull();
    expect(await system.prisma.attachment.count({ where: { id: { in: [sentCopy.id, fresh.id] } } })).toBe(2);
    expect((await download(bob, attachmentUrl(sentCopy.id))).status).toBe(200);
    expect((await download(alice, attachmentUrl(unsent.id))).status).toBe(404);
    for (const s of sockets.splice(0)) s.close();
  });
});
