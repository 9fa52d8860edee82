/**
 * The node protocol: what parseNodeEnvelope accepts and refuses, the ordering keys, and
 * docs/cluster.md's examples (every envelope type has one, and each one parses).
 */
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  NODE_ENVELOPE_TYPES,
  NodeLimits,
  encodeNodeEnvelope,
  nodeEnvelopeKey,
  parseNodeEnvelope,
  type NodeEnvelope,
} from "../src/node-protocol";

const conversationId = randomUUID();
const user = randomUUID();
const message = {
  id: randomUUID(),
  conversationId,
  seq: 7,
  senderId: randomUUID(),
  clientMsgId: "client-7-abcdefgh",
  kind: "text" as const,
  body: "hello",
  createdAt: "2026-01-02T03:04:05.678Z",
};

/** One valid envelope of every type. */
const valid: Record<(typeof NODE_ENVELOPE_TYPES)[number], NodeEnvelope> = {
  deliver: { type: "deliver", conversationId, message, recipients: [user] },
  receipt: { type: "receipt", conversationId, userId: user, kind: "read", seq: 7, recipients: [randomUUID()] },
  "routes.changed": { type: "routes.changed", from: "node-1", ref: randomUUID(), userIds: [user] },
  "routes.ack": { type: "routes.ack", from: "node-2", ref: randomUUID() },
  "deliver.group": { type: "deliver.group", conversationId, membershipSeq: 3, message },
  "receipts.group": { type: "receipts.group", conversationId, cursors: [{ userId: user, deliveredSeq: 7, readSeq: 5, joinedSeq: 2, to: [randomUUID()] }] },
  "members.changed": { type: "members.changed", conversationId, membershipSeq: 4 },
  conversation: { type: "conversation", userIds: [user], frame: { type: "conversation", event: "changed", conversationId } },
  contacts: {
    type: "contacts",
    userIds: [user],
    frame: { type: "contacts", event: "request", user: { id: randomUUID(), username: "bob", displayName: "Bob", statusText: "", avatarUrl: null } },
  },
  "direct.changed": { type: "direct.changed", conversationId },
  "session.ended": { type: "session.ended", userId: user, sessionId: randomUUID() },
  "node.drain": { type: "node.drain", nodeId: "node-2", epoch: 7, by: "alice" },
  hidden: { type: "hidden", conversationId, recipients: [user], frame: { type: "hidden", conversationId, seqs: [3, 5] } },
  typing: { type: "typing", conversationId, userId: user, membershipSeq: 3, at: 1_767_322_000_000, recipients: [randomUUID()] },
  presence: {
    type: "presence",
    from: "node-1",
    updates: [{ to: randomUUID(), contacts: [{ userId: user, online: false, lastSeenAt: "2026-01-02T03:04:05.678Z" }] }],
  },
  notify: { type: "notify", userId: user, frame: { type: "mute", conversationId, mutedUntil: "9999-12-31T23:59:59.999Z" } },
};

const parse = (value: unknown) => parseNodeEnvelope(JSON.stringify(value));

describe("parseNodeEnvelope", () => {
  it("accepts every envelope type and returns it unchanged", () => {
    for (const type of NODE_ENVELOPE_TYPES) {
      const envelope = valid[type];
      expect(parse(envelope)).toEqual({ ok: true, envelope });
      expect(parseNodeEnvelope(encodeNodeEnvelope(envelope).payload)).toEqual({ ok: true, envelope });
    }
  });

  it("refuses extra keys, missing keys and wrong shapes with BAD_REQUEST", () => {
    const bad: unknown[] = [
      { ...valid.deliver, extra: 1 },
      { ...valid.deliver, recipients: ["not-a-uuid"] },
      { ...valid.deliver, message: { ...message, body: 5 } },
      { ...valid.deliver, message: { ...message, extra: true } },
      (({ recipients: _r, ...rest }) => rest)(valid.deliver as Extract<NodeEnvelope, { type: "deliver" }>),
      { ...valid.receipt, kind: "seen" },
      { ...valid.receipt, seq: -1 },
      { ...valid.receipt, seq: 1.5 },
      { ...valid["routes.changed"], from: "bad id/with slash" },
      { ...valid["routes.changed"], from: "n".repeat(65) },
      { ...valid["routes.ack"], ref: "" },
      { ...valid["receipts.group"], cursors: [] },
      { ...valid["receipts.group"], cursors: [{ userId: user, deliveredSeq: 1 }] },
      { ...valid.conversation, userIds: [] },
      { ...valid.notify, frame: { type: "mute", conversationId, mutedUntil: "tomorrow" } },
      { ...valid.notify, frame: { type: "notify.settings", settings: { preview: "all", dnd: false } } },
      { ...valid.conversation, frame: { type: "conversation", event: "renamed", conversationId } },
      { ...valid.conversation, frame: { event: "added", conversationId } },
      { ...valid.contacts, userIds: [] },
      { ...valid.contacts, frame: { ...(valid.contacts as Extract<NodeEnvelope, { type: "contacts" }>).frame, event: "poked" } },
      { ...valid["direct.changed"], conversationId: "nope" },
      { type: 7 },
      {},
      [valid.deliver],
      null,
      "deliver",
    ];
    for (const value of bad) {
      const result = parse(value);
      expect(result.ok, JSON.stringify(value)).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe("BAD_REQUEST");
        expect(result.unknownType).toBeUndefined();
      }
    }
  });

  it("carries the client protocol's conversation frame, checked the same way", () => {
    const frame = { type: "conversation", event: "removed", conversationId };
    expect(parse({ ...valid.conversation, frame })).toEqual({ ok: true, envelope: { ...valid.conversation, frame } });
    expect(parse({ ...valid.conversation, frame: { ...frame, summary: { anything: true } } }).ok).toBe(false);
    expect(parse({ ...valid.conversation, frame: { ...frame, event: "renamed" } }).ok).toBe(false);
  });

  it("bounds user lists and the payload size", () => {
    const many = Array.from({ length: NodeLimits.maxEnvelopeUsers + 1 }, () => user);
    expect(parse({ ...valid.deliver, recipients: many }).ok).toBe(false);
    expect(parse({ ...valid.deliver, recipients: many.slice(1) }).ok).toBe(true);
    const huge = parseNodeEnvelope(" ".repeat(NodeLimits.maxEnvelopeChars + 1));
    expect(huge.ok).toBe(false);
    if (!huge.ok) expect(huge.error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("names an unknown type (a newer node's envelope) apart from a malformed one", () => {
    const result = parse({ type: "call.ringing", conversationId, userId: user });
    expect(result).toMatchObject({ ok: false, unknownType: "call.ringing", error: { code: "BAD_REQUEST" } });
    const notJson = parseNodeEnvelope("{nope");
    expect(notJson).toMatchObject({ ok: false, error: { code: "BAD_REQUEST", message: "envelope is not valid JSON" } });
  });
});

describe("nodeEnvelopeKey", () => {
  it("keys everything about a conversation by its id, route announcements by their sender", () => {
    expect(nodeEnvelopeKey(valid.deliver)).toBe(conversationId);
    expect(nodeEnvelopeKey(valid.receipt)).toBe(conversationId);
    expect(nodeEnvelopeKey(valid["deliver.group"])).toBe(conversationId);
    expect(nodeEnvelopeKey(valid.typing)).toBe(conversationId);
    expect(nodeEnvelopeKey(valid.presence)).toBe("presence:node-1");
    expect(nodeEnvelopeKey(valid["receipts.group"])).toBe(conversationId);
    expect(nodeEnvelopeKey(valid["members.changed"])).toBe(conversationId);
    expect(nodeEnvelopeKey(valid.conversation)).toBe(conversationId);
    expect(nodeEnvelopeKey(valid["routes.changed"])).toBe("node:node-1");
    expect(nodeEnvelopeKey(valid["routes.ack"])).toBe("node:node-2");
    expect(nodeEnvelopeKey(valid["session.ended"])).toBe(`user:${user}`);
    expect(nodeEnvelopeKey(valid["node.drain"])).toBe("drain:node-2");
    expect(encodeNodeEnvelope(valid.receipt)).toEqual({ key: conversationId, payload: JSON.stringify(valid.receipt) });
  });
});

describe("docs/cluster.md", () => {
  const doc = readFileSync(new URL("../../../docs/cluster.md", import.meta.url), "utf8");
  const blocks = [...doc.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1]!);

  it("shows a valid example of every envelope type", () => {
    const documented = new Set<string>();
    for (const json of blocks) {
      const result = parseNodeEnvelope(json);
      expect(result.ok ? null : result.error.message, json).toBeNull();
      if (result.ok) documented.add(result.envelope.type);
    }
    expect([...documented].sort()).toEqual([...NODE_ENVELOPE_TYPES].sort());
  });
});
