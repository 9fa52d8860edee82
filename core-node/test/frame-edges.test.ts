/**
 * Edges of the socket contract a client author asks about (docs/protocol.md §5, §6, §9): what an
 * invalid-UTF-8 or oversize frame gets, whether the frame that triggers 4400 is answered, which `ref` a send
 * with an invalid clientMsgId gets, and that "characters" in bounds are Unicode code points.
 */
import { describe, expect, it } from "vitest";
import { MemoryHub } from "@dim/infra";
import { CloseCode, Limits } from "@dim/shared";
import { clientMsgId, connectAs, createConversation, createUser, openSocket, startNode, useTestDatabase } from "./helpers/cluster";

const db = useTestDatabase();

async function setup() {
  const node = await startNode(db, new MemoryHub());
  const alice = await createUser(db.prisma);
  const bob = await createUser(db.prisma);
  const conv = await createConversation(db.prisma, [alice, bob]);
  const { client } = await connectAs(node, alice);
  return { node, conv, client };
}

describe("socket contract edges", () => {
  it("a text frame that is not valid UTF-8 closes the socket with 1007, with no error frame", async () => {
    const { client } = await setup();
    client.sendRaw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await client.waitClosed()).code).toBe(1007);
    expect(client.all("error")).toEqual([]);
  });

  it("a frame over 64 KiB closes the socket with 1009, with no error frame", async () => {
    const { client } = await setup();
    client.sendRaw(JSON.stringify({ type: "ping", pad: "x".repeat(Limits.maxFrameBytes) }));
    expect((await client.waitClosed()).code).toBe(1009);
    expect(client.all("error")).toEqual([]);
  });

  it("the invalid frame that triggers 4400 is answered first: 9 leave the socket open, the 10th gets its error, then 4400", async () => {
    const { client } = await setup();
    for (let i = 0; i < 9; i++) client.sendRaw("nope");
    await client.roundTrip();
    expect(client.all("error")).toHaveLength(9);
    client.sendRaw("nope");
    expect((await client.waitClosed()).code).toBe(CloseCode.ProtocolViolation);
    expect(client.all("error")).toHaveLength(10);
    expect(client.frames.at(-1)).toMatchObject({ type: "error", code: "BAD_REQUEST" });
  });

  it("before auth, the 3rd frame is answered too, then 4400", async () => {
    const node = await startNode(db, new MemoryHub());
    const client = await openSocket(node);
    client.sendRaw("nope");
    client.send({ type: "teleport" });
    client.send({ type: "sync", conversationId: "1f3b5d7e-9a2c-4e6f-8b1d-3c5e7a9b2d46", afterSeq: 0 });
    expect((await client.waitClosed()).code).toBe(CloseCode.ProtocolViolation);
    expect(client.all("error").map((e) => [e.code, e.ref])).toEqual([
      ["BAD_REQUEST", undefined],
      ["BAD_REQUEST", undefined],
      ["AUTH_REQUIRED", "sync"],
    ]);
  });

  it("a send with an invalid clientMsgId: ref is the value as sent when it is a string of ≤ 64 chars, else \"send\"", async () => {
    const { client, conv } = await setup();
    const send = (clientMsgId: unknown) => client.send({ type: "send", conversationId: conv, clientMsgId, kind: "text", body: "x" });
    for (const bad of ["bad id!", "short", "ü".repeat(10)]) {
      send(bad);
      expect(await client.next("error")).toMatchObject({ code: "BAD_REQUEST", ref: bad });
    }
    for (const bad of ["x".repeat(Limits.maxClientMsgIdChars + 1), 12345678, null]) {
      send(bad);
      expect(await client.next("error")).toMatchObject({ code: "BAD_REQUEST", ref: "send" });
    }
    expect(await db.prisma.message.count({ where: { conversationId: conv } })).toBe(0);
  });

  it("body bounds count Unicode code points: 4 000 emoji are accepted, 4 001 are not", async () => {
    const { client, conv } = await setup();
    const emoji = "😀"; // one code point, two UTF-16 units, four UTF-8 bytes
    const ok = clientMsgId();
    client.send({ type: "send", conversationId: conv, clientMsgId: ok, kind: "text", body: emoji.repeat(Limits.maxBodyChars) });
    expect(await client.next("sent")).toMatchObject({ clientMsgId: ok, seq: 1 });
    const tooLong = clientMsgId();
    client.send({ type: "send", conversationId: conv, clientMsgId: tooLong, kind: "text", body: emoji.repeat(Limits.maxBodyChars + 1) });
    expect(await client.next("error")).toMatchObject({ code: "BAD_REQUEST", ref: tooLong });
    // The longest body, every code point written as a JSON escape pair, still fits in one frame.
    const escaped = JSON.stringify({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "" }).replace(
      '"body":""',
      `"body":"${"\\ud83d\\ude00".repeat(Limits.maxBodyChars)}"`,
    );
    expect(Buffer.byteLength(escaped)).toBeLessThan(Limits.maxFrameBytes);
    client.sendRaw(escaped);
    expect(await client.next("sent")).toMatchObject({ seq: 2 });
  });
});
