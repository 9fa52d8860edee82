/**
 * The protocol between DIM's servers over the bus (core node → core node, gateway → core node):
 * the envelopes, their ordering key, and the one decoder a receiver runs on what a bus hands
 * over. Like the client protocol (protocol.ts) it is a contract: strict objects, bounded, a
 * `type` discriminant; docs/cluster.md describes it for people. The buses carry only
 * `(key, payload)`; they never look inside.
 */
import { z } from "zod";
import { AppError, ErrorCode } from "./errors";
import { NODE_ID_RE } from "./ids";
import { contactsFrame, conversationFrame, memberCursor, messageSchema, seq, uuid } from "./protocol";
import { hiddenFrame } from "./message-events";
import { presenceEnvelope } from "./presence-frames";
import { typingEnvelope } from "./typing";
import { notifyFrame } from "./notifications";

export const NodeLimits = {
  /** Largest encoded envelope a receiver decodes (UTF-16 code units of the JSON text). */
  maxEnvelopeChars: 1024 * 1024,
  /** Most user ids (recipients, cursors) in one envelope. A fan-out to more is split by the sender. */
  maxEnvelopeUsers: 10_000,
} as const;

/** A core node's id: 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-' (safe in a topic, znode or key). */
const nodeId = z.string().regex(NODE_ID_RE, "node id: 1..64 of A-Z a-z 0-9 . _ -");
const userIds = z.array(uuid).max(NodeLimits.maxEnvelopeUsers);

/** A committed message for these users' connections on the target node (1:1 conversations). */
export const deliverEnvelope = z.strictObject({
  type: z.literal("deliver"),
  conversationId: uuid,
  /** The committed message (PostgreSQL already holds it; the bus is only the doorbell). */
  message: messageSchema,
  /** Users on the target node to push it to. */
  recipients: userIds,
});

/** `userId` has delivered / read up to `seq`: tell these users' connections on the target node. */
export const receiptEnvelope = z.strictObject({
  type: z.literal("receipt"),
  conversationId: uuid,
  userId: uuid,
  kind: z.enum(["delivered", "read"]),
  seq,
  recipients: userIds,
});

/**
 * Node `from` just leased new connections for these users: drop any cached routes of theirs,
 * then answer `routes.ack` with the same `ref` (core-node/src/route-changes.ts).
 */
export const routesChangedEnvelope = z.strictObject({
  type: z.literal("routes.changed"),
  from: nodeId,
  ref: uuid,
  userIds,
});

/** `from` has dropped the cached routes named by announcement `ref`. */
export const routesAckEnvelope = z.strictObject({
  type: z.literal("routes.ack"),
  from: nodeId,
  ref: uuid,
});

/**
 * A group message, one record per live node: the receiver delivers it to its local connections
 * of members whose window holds the seq, after re-reading the membership when its cached
 * `membershipSeq` is lower.
 */
export const deliverGroupEnvelope = z.strictObject({
  type: z.literal("deliver.group"),
  conversationId: uuid,
  membershipSeq: seq,
  message: messageSchema,
});

/** A group cursor move with the users to tell of it (authors of the messages it passed; the mover on a read). */
export const routedCursor = memberCursor.extend({ to: z.array(uuid).min(1).max(NodeLimits.maxEnvelopeUsers) });
export type RoutedCursor = z.infer<typeof routedCursor>;

/**
 * Group cursor moves of one coalescing window, one record per live node; each receiving node
 * sends every local socket of a user in a cursor's `to` (still an active member there) one
 * `receipts` frame with the cursors addressed to it.
 */
export const receiptsGroupEnvelope = z.strictObject({
  type: z.literal("receipts.group"),
  conversationId: uuid,
  cursors: z.array(routedCursor).min(1).max(NodeLimits.maxEnvelopeUsers),
});

/** A group's membership changed (up to `membershipSeq`): drop the cached member list. */
export const membersChangedEnvelope = z.strictObject({
  type: z.literal("members.changed"),
  conversationId: uuid,
  membershipSeq: seq,
});

/** A `conversation` frame for every connection of these users on the target node. */
export const conversationEnvelope = z.strictObject({
  type: z.literal("conversation"),
  userIds: userIds.min(1),
  frame: conversationFrame,
});

/** A `contacts` frame for every connection of these users on the target node. */
export const contactsEnvelope = z.strictObject({
  type: z.literal("contacts"),
  userIds: userIds.min(1),
  frame: contactsFrame,
});

/**
 * Whether a direct conversation is open (contacts both ways, no block) changed: the target node
 * drops its cached member list of it (typing there is re-authorized on the next read). Sends need
 * no cache: the store checks every append.
 */
export const directChangedEnvelope = z.strictObject({
  type: z.literal("direct.changed"),
  conversationId: uuid,
});

/**
 * A gateway session ended (logout): the target node closes its sockets of that session with
 * SessionEnded. Tokens issued to it are refused at `auth` anyway (the node checks the session).
 */
export const sessionEndedEnvelope = z.strictObject({
  type: z.literal("session.ended"),
  userId: uuid,
  sessionId: uuid,
});

/**
 * An admin asked the target node to drain (gateway `admin.drainNode`): it drains as at SIGTERM
 * (DIM_DRAIN_MS), then stops. Only the registration named by `nodeId` and `epoch` acts on it, so a
 * late record never drains a node restarted under the same id since the admin looked.
 */
export const nodeDrainEnvelope = z.strictObject({
  type: z.literal("node.drain"),
  nodeId,
  epoch: z.number().int().positive(),
  /** The admin's username (the node logs it). */
  by: z.string().min(1).max(64),
});

/** "Delete for me" news: a `hidden` frame for every connection of `userId` on the target node. */
export const hiddenEnvelope = z.strictObject({
  type: z.literal("hidden"),
  conversationId: uuid,
  recipients: userIds.min(1),
  frame: hiddenFrame,
});

/** Notification settings or a mute changed (the gateway): the frame for every connection of `userId` on the target node. */
export const notifyEnvelope = z.strictObject({
  type: z.literal("notify"),
  userId: uuid,
  frame: notifyFrame,
});

export const nodeEnvelope = z.discriminatedUnion("type", [
  deliverEnvelope,
  receiptEnvelope,
  routesChangedEnvelope,
  routesAckEnvelope,
  deliverGroupEnvelope,
  receiptsGroupEnvelope,
  membersChangedEnvelope,
  conversationEnvelope,
  contactsEnvelope,
  directChangedEnvelope,
  sessionEndedEnvelope,
  nodeDrainEnvelope,
  hiddenEnvelope,
  typingEnvelope,
  presenceEnvelope,
  notifyEnvelope,
]);
export type NodeEnvelope = z.infer<typeof nodeEnvelope>;
export type NodeEnvelopeType = NodeEnvelope["type"];
export type NodeEnvelopeOf<T extends NodeEnvelopeType> = Extract<NodeEnvelope, { type: T }>;
export const NODE_ENVELOPE_TYPES = [
  "deliver",
  "receipt",
  "routes.changed",
  "routes.ack",
  "deliver.group",
  "receipts.group",
  "members.changed",
  "conversation",
  "contacts",
  "direct.changed",
  "session.ended",
  "node.drain",
  "hidden",
  "typing",
  "presence",
  "notify",
] as const satisfies readonly NodeEnvelopeType[];

/**
 * The bus key of an envelope: envelopes with the same key reach a node in publish order.
 * Everything about one conversation (messages, receipts, membership news) shares its id; route
 * announcements and their acks are ordered per sending node.
 */
export function nodeEnvelopeKey(envelope: NodeEnvelope): string {
  switch (envelope.type) {
    case "routes.changed":
    case "routes.ack":
      return `node:${envelope.from}`;
    case "conversation":
      return envelope.frame.conversationId;
    case "session.ended":
    case "notify":
      return `user:${envelope.userId}`;
    case "node.drain":
      return `drain:${envelope.nodeId}`;
    case "contacts":
      return `contacts:${envelope.frame.user.id}`;
    case "presence":
      return `presence:${envelope.from}`;
    default:
      return envelope.conversationId;
  }
}

/** What a bus carries for an envelope: its key and its JSON text. Encode once, publish to many nodes. */
export function encodeNodeEnvelope(envelope: NodeEnvelope): { key: string; payload: string } {
  return { key: nodeEnvelopeKey(envelope), payload: JSON.stringify(envelope) };
}

export type NodeEnvelopeParse =
  | { ok: true; envelope: NodeEnvelope }
  /** `unknownType`: a well-formed record of a type this version does not know (a newer node's). */
  | { ok: false; error: AppError; unknownType?: string };

const KNOWN_TYPES: ReadonlySet<string> = new Set(NODE_ENVELOPE_TYPES);

/**
 * Decodes and validates one payload a bus handed over. Never throws: a bad payload is a typed
 * AppError, and the receiver drops it (logged): the bus is a doorbell, PostgreSQL holds the
 * truth and clients repair by sync.
 */
export function parseNodeEnvelope(payload: string): NodeEnvelopeParse {
  if (payload.length > NodeLimits.maxEnvelopeChars) {
    return { ok: false, error: new AppError(ErrorCode.PayloadTooLarge, `envelope exceeds ${NodeLimits.maxEnvelopeChars} characters`) };
  }
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return { ok: false, error: new AppError(ErrorCode.BadRequest, "envelope is not valid JSON") };
  }
  const result = nodeEnvelope.safeParse(json);
  if (result.success) return { ok: true, envelope: result.data };
  const type = typeof json === "object" && json !== null ? (json as { type?: unknown }).type : undefined;
  if (typeof type === "string" && !KNOWN_TYPES.has(type)) {
    return { ok: false, error: new AppError(ErrorCode.BadRequest, `unknown envelope type '${type.slice(0, 32)}'`), unknownType: type.slice(0, 32) };
  }
  const issues = result.error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
  return { ok: false, error: new AppError(ErrorCode.BadRequest, `invalid envelope: ${issues}`) };
}
