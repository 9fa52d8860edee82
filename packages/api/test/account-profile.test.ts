/**
 * account.updateProfile and account.setAvatar on a real gateway: bounds, the avatar rules (own
 * unsent image only), who may fetch an avatar, and that the sweep keeps a bound avatar.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DiskBlobStore } from "@dim/infra";
import { uploadResponse } from "@dim/shared";
import { collectUnsent } from "../src/attachments/attachment-rows";
import { befriend, expectAppError, useTestGateway, type TestGateway } from "./helpers";
import { download, PDF, png, upload } from "./attachment-helpers";

const blobDir = mkdtempSync(join(tmpdir(), "dim-avatars-"));
afterAll(() => rmSync(blobDir, { recursive: true, force: true }));
const gw = useTestGateway({ uploadSweepMs: 0, uploadMaxBytes: 64 * 1024 }, { blobs: () => new DiskBlobStore(blobDir) });

async function uploaded(g: TestGateway, token: string, name: string, body: Buffer) {
  const res = await upload(g, token, name, body);
  expect(res.status).toBe(201);
  return uploadResponse.parse(await res.json()).attachment;
}

describe("account.updateProfile", () => {
  it("changes the display name and status line; contacts see them", async () => {
    const { A, B } = await befriend(gw, "prof_a", "prof_b");
    const me = await A.client.account.updateProfile.mutate({ displayName: "  Alice  ", statusText: "On holiday 🌴" });
    expect(me).toMatchObject({ displayName: "Alice", statusText: "On holiday 🌴", avatarUrl: null });
    expect(await A.client.auth.me.query()).toMatchObject({ displayName: "Alice", statusText: "On holiday 🌴" });
    const [contact] = await B.client.contacts.list.query();
    expect(contact?.user).toMatchObject({ displayName: "Alice", statusText: "On holiday 🌴" });
    // Only the status: the name stays.
    expect(await A.client.account.updateProfile.mutate({ statusText: "" })).toMatchObject({ displayName: "Alice", statusText: "" });
  });

  it("counts the status bound in code points and refuses past it, changing nothing", async () => {
    const { client } = await gw.register("prof_bounds");
    const emoji140 = "😀".repeat(140); // 280 UTF-16 units, 140 code points: allowed
    expect((await client.account.updateProfile.mutate({ statusText: emoji140 })).statusText).toBe(emoji140);
    await expectAppError(client.account.updateProfile.mutate({ statusText: "😀".repeat(141) }), "BAD_REQUEST");
    await expectAppError(client.account.updateProfile.mutate({ displayName: "x".repeat(65) }), "BAD_REQUEST");
    await expectAppError(client.account.updateProfile.mutate({ displayName: "   " }), "BAD_REQUEST");
    await expectAppError(client.account.updateProfile.mutate({}), "BAD_REQUEST");
    expect(await client.auth.me.query()).toMatchObject({ displayName: "prof_bounds", statusText: emoji140 });
  });

  it("is for signed-in users only", async () => {
    await expectAppError(gw.anon.account.updateProfile.mutate({ statusText: "hi" }), "UNAUTHORIZED");
  });
});

describe("account.setAvatar", () => {
  it("binds an own unsent image; contacts and co-members fetch it, strangers get NOT_FOUND", async () => {
    const { A, B } = await befriend(gw, "ava_a", "ava_b");
    const stranger = await gw.register("ava_stranger");
    const image = await uploaded(gw, A.session.sessionToken, "me.png", await png(48, 48));
    const me = await A.client.account.setAvatar.mutate({ attachmentId: image.id });
    expect(me.avatarUrl).toBe(`/api/files/${image.id}`);
    const [contact] = await B.client.contacts.list.query();
    expect(contact?.user.avatarUrl).toBe(me.avatarUrl);
    expect((await download(gw, A.session.sessionToken, me.avatarUrl!)).status).toBe(200);
    const seen = await download(gw, B.session.sessionToken, me.avatarUrl!);
    expect(seen.status).toBe(200);
    expect(seen.headers.get("content-type")).toBe("image/png");
    expect((await download(gw, stranger.session.sessionToken, me.avatarUrl!)).status).toBe(404);
    // A group co-member (B's contact, not A's) who is no contact sees it too.
    const req = await B.client.contacts.request.mutate({ username: "ava_stranger" });
    await stranger.client.contacts.accept.mutate({ requestId: req.id });
    await B.client.groups.create.mutate({ title: "avatars", memberIds: [A.id, stranger.id] });
    expect((await download(gw, stranger.session.sessionToken, me.avatarUrl!)).status).toBe(200);
    // Back to initials.
    expect((await A.client.account.setAvatar.mutate({ attachmentId: null })).avatarUrl).toBeNull();
  });

  it("refuses a file (INVALID_ATTACHMENT not_an_image), someone else's upload and an unknown id (NOT_FOUND)", async () => {
    const A = await gw.register("ava_bad_a");
    const B = await gw.register("ava_bad_b");
    const pdf = await uploaded(gw, A.session.sessionToken, "doc.pdf", PDF);
    const err = await expectAppError(A.client.account.setAvatar.mutate({ attachmentId: pdf.id }), "INVALID_ATTACHMENT");
    expect(err.data.details?.reason).toBe("not_an_image");
    const theirs = await uploaded(gw, B.session.sessionToken, "b.png", await png(16, 16));
    await expectAppError(A.client.account.setAvatar.mutate({ attachmentId: theirs.id }), "NOT_FOUND");
    await expectAppError(A.client.account.setAvatar.mutate({ attachmentId: "00000000-0000-4000-8000-000000000000" }), "NOT_FOUND");
    await expectAppError(A.client.account.setAvatar.mutate({ attachmentId: "not-a-uuid" }), "BAD_REQUEST");
    expect((await A.client.auth.me.query()).avatarUrl).toBeNull();
    expect((await B.client.auth.me.query()).avatarUrl).toBeNull();
  });

  it("an oversize avatar is refused by the upload route, so nothing can be bound", async () => {
    const A = await gw.register("ava_big");
    const res = await upload(gw, A.session.sessionToken, "big.png", Buffer.alloc(64 * 1024 + 1));
    expect(res.status).toBe(413);
    expect((await res.json()) as unknown).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
  });

  it("the unsent-upload sweep keeps a bound avatar and collects the one it replaced", async () => {
    const A = await gw.register("ava_sweep");
    const first = await uploaded(gw, A.session.sessionToken, "1.png", await png(20, 20));
    const second = await uploaded(gw, A.session.sessionToken, "2.png", await png(24, 24));
    await A.client.account.setAvatar.mutate({ attachmentId: first.id });
    await A.client.account.setAvatar.mutate({ attachmentId: second.id });
    await gw.prisma.$executeRaw`UPDATE attachments SET created_at = now() - interval '2 days' WHERE owner_id = ${A.id}::uuid`;
    await collectUnsent(gw.prisma, new DiskBlobStore(blobDir), 60_000);
    const left = await gw.prisma.attachment.findMany({ where: { ownerId: A.id }, select: { id: true } });
    expect(left.map((r) => r.id)).toEqual([second.id]);
    expect((await download(gw, A.session.sessionToken, `/api/files/${second.id}`)).status).toBe(200);
  });
});
