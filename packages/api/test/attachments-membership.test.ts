/**
 * Who may download a sent attachment as a group's membership changes (docs/protocol.md §3.6): the
 * attachment belongs to the conversation, so each member may fetch it exactly while the message
 * lies in its membership window (§16.3). The uploader leaving takes nothing from the others; the
 * uploader itself is then a former member like any other: it keeps what its window shows, and
 * loses it when re-added with a new window, as it loses the message.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { attachmentUrl, thumbnailUrl, uploadResponse } from "@dim/shared";
import { DiskBlobStore } from "@dim/infra";
import { msgId, useTestGateway } from "./helpers";
import { connect } from "./group-helpers";
import { download, png, upload } from "./attachment-helpers";

const blobDir = mkdtempSync(join(tmpdir(), "dim-blobs-"));
afterAll(() => rmSync(blobDir, { recursive: true, force: true }));
const gw = useTestGateway({ uploadSweepMs: 0 }, { blobs: () => new DiskBlobStore(blobDir) });

async function status(token: string, path: string): Promise<number> {
  const res = await download(gw, token, path);
  await res.arrayBuffer();
  return res.status;
}

describe("download after membership changes", () => {
  it("a sent attachment stays the conversation's: members keep it after the uploader left; the uploader keeps its window", async () => {
    const owner = await gw.register("am_owner");
    const up = await gw.register("am_up");
    const stay = await gw.register("am_stay");
    const late = await gw.register("am_late");
    for (const [p, name] of [[up, "am_up"], [stay, "am_stay"], [late, "am_late"]] as const) await connect(owner, p, name);
    const { conversation } = await owner.client.groups.create.mutate({ title: "Photos", memberIds: [up.id, stay.id] }); // 1
    const id = conversation.id;

    const res = await upload(gw, up.session.sessionToken, "cat.png", await png(16, 16));
    expect(res.status).toBe(201);
    const att = uploadResponse.parse(await res.json()).attachment;
    await gw.store.append({ senderId: up.id, conversationId: id, clientMsgId: msgId(), kind: "image", body: "", attachmentId: att.id }); // 2

    await up.client.groups.leave.mutate({ conversationId: id }); // 3
    // Those who see the message keep the file and its thumbnail.
    for (const who of [owner, stay]) {
      expect(await status(who.session.sessionToken, attachmentUrl(att.id))).toBe(200);
      expect(await status(who.session.sessionToken, thumbnailUrl(att.id))).toBe(200);
    }
    // The uploader who left still sees the message (its window is [1, 3]), so it keeps the file.
    expect(await status(up.session.sessionToken, attachmentUrl(att.id))).toBe(200);

    // A member added after the message never saw it: not found, like any stranger.
    await owner.client.groups.addMembers.mutate({ conversationId: id, userIds: [late.id] }); // 4
    expect(await status(late.session.sessionToken, attachmentUrl(att.id))).toBe(404);
    expect(await status(late.session.sessionToken, thumbnailUrl(att.id))).toBe(404);

    // A member removed after the message keeps it: the message is inside its window [1, 5].
    await owner.client.groups.removeMember.mutate({ conversationId: id, userId: stay.id }); // 5
    expect(await status(stay.session.sessionToken, attachmentUrl(att.id))).toBe(200);

    // The uploader added again gets a new window [6, ∞): the message, and with it the file, is no
    // longer its to see; owning the upload grants nothing once it is sent.
    const { seq } = await owner.client.groups.addMembers.mutate({ conversationId: id, userIds: [up.id] }); // 6
    expect(seq).toBe(6);
    expect(await status(up.session.sessionToken, attachmentUrl(att.id))).toBe(404);
    expect(await status(up.session.sessionToken, thumbnailUrl(att.id))).toBe(404);
    expect(await status(owner.session.sessionToken, attachmentUrl(att.id))).toBe(200);
  });
});
