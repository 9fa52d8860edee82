/**
 * Images and files through the outbox, against the in-memory socket and a FileClient double:
 * upload first (progress, waiting while offline), then the `send` with the attachment id, the
 * same frame on every re-send; refusals fail the message; discard cancels; a restart resumes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ErrorCode } from "@dim/shared";
import { MemoryClientStore, type ChatMessage, type DimClientOptions } from "../src";
import { CONV, connected, harness, settle } from "./fake-transport";
import { FakeFiles, tooLarge } from "./fake-files";

const png = (bytes = 64) => new File([new Uint8Array(bytes).fill(7)], "cat.png", { type: "image/png" });
const pdf = () => new File(["%PDF-1.4 tiny"], "report.pdf", { type: "application/pdf" });
const only = (messages: readonly ChatMessage[]) => {
  expect(messages).toHaveLength(1);
  return messages[0]!;
};

/** A client with a FileClient double, connected over the in-memory socket. */
async function connectedWithFiles(options: Omit<Partial<DimClientOptions>, "files"> = {}) {
  const files = new FakeFiles();
  const h = harness({ files, ...options });
  const socket = await connected(h);
  return { files, h, socket };
}

describe("attachments in the outbox", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("uploads with progress, then sends kind/attachmentId/caption; `sent` stores it with its attachment", async () => {
    const { files, h, socket } = await connectedWithFiles();
    const m = h.client.sendAttachment(CONV, png(200), { caption: "look", width: 40, height: 20 });
    expect(m).toMatchObject({ kind: "image", body: "look", state: "sending", attachment: { id: null, name: "cat.png", size: 200, width: 40, height: 20 } });
    expect(m.attachment?.localFile).toBeInstanceOf(Blob);
    await settle();
    const up = files.last();
    expect(up.options.name).toBe("cat.png");
    expect(only(h.client.conversationMessages(CONV)).upload).toEqual({ status: "uploading", loaded: 0, total: 200 });
    up.progress(100);
    expect(only(h.client.conversationMessages(CONV)).upload).toEqual({ status: "uploading", loaded: 100, total: 200 });
    expect(socket.framesOf("send")).toHaveLength(0); // nothing is sent before the bytes are up

    const ref = up.resolve();
    await settle();
    expect(socket.framesOf("send")).toEqual([{ type: "send", conversationId: CONV, clientMsgId: m.clientMsgId, kind: "image", attachmentId: ref.id, caption: "look" }]);
    const queued = only(h.client.conversationMessages(CONV));
    expect(queued.upload).toBeNull();
    expect(queued.attachment).toMatchObject({ id: ref.id, placeholder: ref.placeholder });

    socket.push({ type: "sent", clientMsgId: m.clientMsgId, messageId: crypto.randomUUID(), conversationId: CONV, seq: 1, createdAt: new Date().toISOString(), duplicate: false });
    await settle();
    const stored = only(h.client.conversationMessages(CONV));
    expect(stored).toMatchObject({ seq: 1, state: "sent", kind: "image", body: "look", attachment: { ...ref, localFile: null }, upload: null });
    expect(h.client.outbox).toEqual([]);
  });

  it("the ACK clock's re-send repeats the same frame (same clientMsgId and attachment id), never re-uploads", async () => {
    const { files, h, socket } = await connectedWithFiles();
    const m = h.client.sendAttachment(CONV, pdf());
    await settle();
    const ref = files.last().resolve();
    await settle();
    await vi.advanceTimersByTimeAsync(4000);
    const sends = socket.framesOf("send");
    expect(sends).toHaveLength(2);
    expect(sends[1]).toEqual(sends[0]);
    expect(sends[0]).toEqual({ type: "send", conversationId: CONV, clientMsgId: m.clientMsgId, kind: "file", attachmentId: ref.id });
    expect(files.uploads).toHaveLength(1);
  });

  it("offline: waits (no upload); uploads and sends once connected", async () => {
    const files = new FakeFiles();
    const h = harness({ files });
    const m = h.client.sendAttachment(CONV, pdf());
    await settle();
    expect(files.uploads).toHaveLength(0);
    expect(only(h.client.conversationMessages(CONV)).upload).toEqual({ status: "waiting", loaded: 0, total: 13 });
    const socket = await connected(h);
    expect(files.uploads).toHaveLength(1);
    const ref = files.last().resolve();
    await settle();
    expect(socket.framesOf("send")).toMatchObject([{ clientMsgId: m.clientMsgId, attachmentId: ref.id }]);
  });

  it("uploads one at a time, in queue order", async () => {
    const { files, h } = await connectedWithFiles();
    h.client.sendAttachment(CONV, png(), { name: "one.png" });
    h.client.sendAttachment(CONV, png(), { name: "two.png" });
    await settle();
    expect(files.uploads.map((u) => u.options.name)).toEqual(["one.png"]);
    expect(h.client.conversationMessages(CONV).map((m) => m.upload?.status)).toEqual(["uploading", "waiting"]);
    files.last().resolve();
    await settle();
    expect(files.uploads.map((u) => u.options.name)).toEqual(["one.png", "two.png"]);
  });

  it("a refused upload fails the message with the server's code and details; discard removes it", async () => {
    const { files, h, socket } = await connectedWithFiles();
    const m = h.client.sendAttachment(CONV, pdf());
    await settle();
    files.last().refuse(tooLarge());
    await settle();
    const failed = only(h.client.conversationMessages(CONV));
    expect(failed.state).toBe("failed");
    expect(failed.error).toEqual({ code: ErrorCode.PayloadTooLarge, message: "an upload may hold at most 100 bytes", details: { maxBytes: 100 } });
    expect(socket.framesOf("send")).toHaveLength(0);
    // Retry uploads again (the server may have changed its mind: a rate limit, …).
    h.client.retry(m.clientMsgId);
    await settle();
    expect(files.uploads).toHaveLength(2);
    files.last().refuse(tooLarge());
    await settle();
    h.client.discard(m.clientMsgId);
    expect(h.client.conversationMessages(CONV)).toEqual([]);
    expect(h.client.outbox).toEqual([]);
  });

  it("discard during the upload aborts it; nothing is sent", async () => {
    const { files, h, socket } = await connectedWithFiles();
    const m = h.client.sendAttachment(CONV, png());
    await settle();
    h.client.discard(m.clientMsgId);
    await settle();
    expect(files.last().aborted).toBe(true);
    expect(h.client.conversationMessages(CONV)).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(socket.framesOf("send")).toHaveLength(0);
    expect(files.uploads).toHaveLength(1);
  });

  it("a message whose send is out can no longer be discarded", async () => {
    const { files, h } = await connectedWithFiles();
    const m = h.client.sendAttachment(CONV, png());
    await settle();
    files.last().resolve();
    await settle();
    expect(() => h.client.discard(m.clientMsgId)).toThrow(expect.objectContaining({ code: ErrorCode.Conflict }));
    expect(() => h.client.discard("no-such-message")).toThrow(expect.objectContaining({ code: ErrorCode.NotFound }));
  });

  it("an upload that reaches no server waits and is tried again with backoff", async () => {
    const { files, h, socket } = await connectedWithFiles({ backoff: { baseMs: 1000, capMs: 1000 } });
    h.client.sendAttachment(CONV, pdf());
    await settle();
    files.last().breakOff();
    await settle();
    expect(only(h.client.conversationMessages(CONV))).toMatchObject({ state: "sending", upload: { status: "waiting" } });
    expect(files.uploads).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000); // random 0.5: 500 + 0.5 × 500 = 750 ms
    expect(files.uploads).toHaveLength(2);
    files.last().resolve();
    await settle();
    expect(socket.framesOf("send")).toHaveLength(1);
  });

  it("after 5 broken-off uploads in a row the message fails (Retry starts over)", async () => {
    const { files, h } = await connectedWithFiles({ backoff: { baseMs: 100, capMs: 100 } });
    const m = h.client.sendAttachment(CONV, pdf());
    for (let i = 0; i < 5; i++) {
      await settle();
      files.last().breakOff();
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(files.uploads).toHaveLength(5);
    expect(only(h.client.conversationMessages(CONV))).toMatchObject({ state: "failed", error: { code: ErrorCode.Internal } });
    h.client.retry(m.clientMsgId);
    await settle();
    expect(files.uploads).toHaveLength(6);
  });

  it("refuses bad input up front and queues nothing", async () => {
    const { files, h } = await connectedWithFiles({ maxUploadBytes: 100 });
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as { code?: string; details?: unknown }).code;
      }
      return null;
    };
    expect(codeOf(() => h.client.sendAttachment(CONV, new File([], "empty.txt")))).toBe(ErrorCode.InvalidAttachment);
    expect(codeOf(() => h.client.sendAttachment(CONV, png(101)))).toBe(ErrorCode.PayloadTooLarge);
    expect(codeOf(() => h.client.sendAttachment(CONV, new Blob(["x"])))).toBe(ErrorCode.InvalidAttachment); // no name
    expect(codeOf(() => h.client.sendAttachment(CONV, png(), { caption: "x".repeat(4001) }))).toBe(ErrorCode.BadRequest);
    expect(codeOf(() => h.client.sendAttachment("not-a-uuid", png()))).toBe(ErrorCode.BadRequest);
    expect(codeOf(() => harness().client.sendAttachment(CONV, png()))).toBe(ErrorCode.InvalidConfig); // no file client
    await settle();
    expect(files.uploads).toHaveLength(0);
    expect(h.client.outbox).toEqual([]);
  });

  it("survives a restart: an uploaded item is sent with its attachment id (no second upload); an unfinished one uploads again", async () => {
    const store = new MemoryClientStore();
    const files = new FakeFiles();
    const first = harness({ files, store });
    await connected(first);
    const sent = first.client.sendAttachment(CONV, png(), { name: "uploaded.png" });
    const pending = first.client.sendAttachment(CONV, pdf());
    await settle();
    const ref = files.last().resolve();
    await settle();
    await settle();
    await first.client.stop(); // the second upload was running: it starts over
    expect(files.uploads).toHaveLength(2);

    const files2 = new FakeFiles();
    const second = harness({ files: files2, store });
    await second.client.ready();
    expect(second.client.conversationMessages(CONV).map((m) => [m.clientMsgId, m.upload?.status ?? null])).toEqual([
      [sent.clientMsgId, null],
      [pending.clientMsgId, "waiting"],
    ]);
    expect(second.client.conversationMessages(CONV)[1]!.attachment?.localFile).toBeInstanceOf(Blob);
    const socket = await connected(second);
    expect(socket.framesOf("send")).toEqual([{ type: "send", conversationId: CONV, clientMsgId: sent.clientMsgId, kind: "image", attachmentId: ref.id }]);
    expect(files2.uploads.map((u) => u.options.name)).toEqual(["report.pdf"]);
  });

  it("thumbnails: fetched once, then from the cache — also when the network is gone", async () => {
    const files = new FakeFiles();
    const h = harness({ files });
    const id = crypto.randomUUID();
    const [a, b] = await Promise.all([h.client.thumbnail(id), h.client.thumbnail(id)]);
    expect(await a.text()).toBe(`thumb of ${id}`);
    expect(b).toBe(a);
    files.thumbnailFails = true;
    expect(await (await h.client.thumbnail(id)).text()).toBe(`thumb of ${id}`);
    expect(files.thumbnails).toBe(1);
    await expect(h.client.thumbnail(crypto.randomUUID())).rejects.toMatchObject({ code: ErrorCode.Internal });
  });
});
