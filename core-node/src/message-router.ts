/**
 * What a core node does with an authenticated user's frames, and with the envelopes other nodes
 * send it. PostgreSQL (the store) is the truth; pushes and the bus are only doorbells: whatever
 * they lose, the client repairs by `sync`.
 */
import {
  AppError,
  ErrorCode,
  isAppError,
  Limits,
  type AckFrame,
  type HideFrame,
  type Message,
  type ReadFrame,
  type SendFrame,
  type ServerFrame,
  type SyncFrame,
  type NodeEnvelope,
} from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import type { ContactPresenceStore, MessageStore } from "@dim/db";
import { KeyedSerialQueue } from "@dim/shared/async";
import { publishToUsers, type Bus, type Presence } from "@dim/infra";
import type { ClientConnection, UserFrame } from "./client-connection";
import type { LocalConnections } from "./local-connections";
import type { RouteLookup } from "./route-lookup";
import { GroupFanout } from "./group-fanout";
import type { GroupMembers } from "./group-members";
import { GroupReceipts } from "./group-receipts";
import type { NodeMetrics } from "./node-metrics";
import type { PeerNodes } from "./peer-nodes";
import { appendInputOf } from "./send-input";
import { withStoreRetry } from "./store-retry";
import { PresenceSnapshot } from "./presence-snapshot";
import { TypingRelay } from "./typing-relay";
import type { PushNotifier } from "./push/push-notifier";

export interface MessageRouterDeps {
  nodeId: () => string;
  store: MessageStore;
  bus: Bus;
  /** Presence lookups (coalesced and cached), shared with the node's route announcements. */
  routes: RouteLookup;
  /** Other live nodes (group fan-out goes to each). */
  peers: PeerNodes;
  /** Member lists with windows (groups' deliveries and receipts, 1:1 receipts). */
  members: GroupMembers;
  connections: LocalConnections;
  /** Contacts, last seen and privacy flags (presence.query). */
  contactPresence: Pick<ContactPresenceStore, "contactsOf">;
  /** The presence leases themselves (uncached), for presence.query. */
  presence: Pick<Presence, "routesOf">;
  /** DIM_GROUP_RECEIPT_COALESCE_MS */
  groupReceiptCoalesceMs: number;
  logger: Logger;
  metrics: NodeMetrics;
  /** Web Push to members with no socket anywhere; absent: no pushes. */
  push?: PushNotifier | undefined;
}

type ReceiptKind = "delivered" | "read";

export class MessageRouter {
  /**
   * Remote fan-out (presence lookup + bus publish) per conversation, in commit order, behind the
   * socket's frame queue: a slow or restarting Redis or Kafka never holds up the next frame of
   * the socket (its `send` would miss the client's ACK clock). The message is committed before;
   * whatever the fan-out loses, sync repairs.
   */
  private readonly fanout = new KeyedSerialQueue();
  /** Group conversations: fan-out by node (deliver.group), membership cache, conversation frames. */
  private readonly groups: GroupFanout;
  private readonly groupReceipts: GroupReceipts;
  /** Ephemeral signals: never stored, never in the seq stream. */
  private readonly typing: TypingRelay;
  private readonly presenceSnapshot: PresenceSnapshot;

  constructor(private readonly deps: MessageRouterDeps) {
    this.groups = new GroupFanout({
      bus: deps.bus,
      peers: deps.peers,
      members: deps.members,
      connections: deps.connections,
      queue: this.fanout,
      logger: deps.logger,
    });
    this.groupReceipts = new GroupReceipts({
      fanout: this.groups,
      members: deps.members,
      store: deps.store,
      connections: deps.connections,
      coalesceMs: deps.groupReceiptCoalesceMs,
      logger: deps.logger,
    });
    this.typing = new TypingRelay({
      nodeId: deps.nodeId,
      bus: deps.bus,
      routes: deps.routes,
      members: deps.members,
      connections: deps.connections,
      groups: this.groups,
      queue: this.fanout,
      logger: deps.logger,
    });
    this.presenceSnapshot = new PresenceSnapshot({ store: deps.contactPresence, presence: deps.presence });
  }

  /** Resolves once the fan-outs queued so far have handed their envelopes to the bus, or after `timeoutMs`. */
  async drain(timeoutMs = 2_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    // The receipts' routing (a store read) queues their records: then the queue drains.
    await Promise.race([this.groupReceipts.flushAll().then(() => this.fanout.drain()), timeout]);
    clearTimeout(timer);
  }

  /** One frame of an authenticated socket. Throws AppError for the client; anything else is INTERNAL. */
  async dispatch(conn: ClientConnection, frame: UserFrame): Promise<void> {
    const userId = conn.userId;
    if (userId === undefined) throw new AppError(ErrorCode.AuthRequired, "send `auth` first");
    switch (frame.type) {
      case "send":
        return this.onSend(conn, userId, frame);
      case "ack":
      case "read":
        // Applied in arrival order (the store writes cursor moves in call order) without holding
        // up the socket's next frames: the write may wait a few ms for company (cursorCollectMs).
        void this.onCursor(conn, userId, frame, frame.type === "ack" ? "delivered" : "read").catch((err: unknown) =>
          this.reportDetachedError(conn, frame.type, err),
        );
        return;
      case "sync":
        return this.onSync(conn, userId, frame);
      case "hide":
        return this.onHide(conn, userId, frame);
      case "typing":
        return this.typing.onFrame(conn, userId, frame);
      case "presence.query":
        // Two reads and a presence look-up: answered beside the socket's queue, never ahead of
        // a `send` behind it on the ACK clock.
        void this.presenceSnapshot.answer(conn, userId).catch((err: unknown) => this.reportDetachedError(conn, frame.type, err));
        return;
    }
  }

  /** An envelope from another node's publish: hand it to this node's sockets. */
  async onEnvelope(envelope: NodeEnvelope): Promise<void> {
    switch (envelope.type) {
      case "deliver":
        for (const userId of envelope.recipients) {
          for (const conn of this.deps.connections.ofUser(userId)) conn.pushMessage(envelope.message);
        }
        return;
      case "receipt":
        this.pushLocal(envelope.recipients, null, {
          type: "receipt",
          conversationId: envelope.conversationId,
          userId: envelope.userId,
          kind: envelope.kind,
          seq: envelope.seq,
        });
        return;
      case "deliver.group":
        return this.groups.onDeliver(envelope);
      case "receipts.group":
        return this.groupReceipts.onEnvelope(envelope);
      case "members.changed":
        return this.groups.onMembersChanged(envelope);
      case "conversation":
        return this.groups.onConversation(envelope);
      case "contacts":
        this.pushLocal(envelope.userIds, null, envelope.frame);
        return;
      case "direct.changed":
        this.deps.members.forget(envelope.conversationId);
        return;
      case "session.ended":
        this.deps.connections.closeSession(envelope.userId, envelope.sessionId);
        return;
      case "hidden":
        this.pushLocal(envelope.recipients, null, envelope.frame);
        return;
      case "notify":
        this.pushLocal([envelope.userId], null, envelope.frame);
        return;
      case "typing":
        return this.typing.onEnvelope(envelope);
      case "routes.changed":
      case "routes.ack":
      case "presence":
      case "node.drain":
        return; // the node's RouteChanges / PresenceChanges / CoreNode itself handle these
    }
  }

  // ─────────────────────────── send ───────────────────────────

  private async onSend(conn: ClientConnection, senderId: string, frame: SendFrame): Promise<void> {
    // The store authorizes (sender is a member; an event's rules) and de-duplicates (sender,
    // clientMsgId) in the same transaction that assigns seq; its AppErrors go back with ref =
    // clientMsgId. Events (edit, delete, reaction) are messages here: delivered the same way.
    // A short PostgreSQL outage is waited out here, with the socket's later frames behind it (order kept).
    const input = appendInputOf(senderId, frame);
    const { message, duplicate, memberIds, membershipSeq, conversationKind } = await withStoreRetry(() => this.deps.store.append(input), {
      onRetry: (err, attempt, delayMs) => this.deps.logger.warn({ err, attempt, delayMs, connId: conn.id }, "store unreachable; retrying the send"),
    });
    if (!duplicate) this.deps.metrics.messagesStored.inc();
    conn.send({
      type: "sent",
      clientMsgId: message.clientMsgId,
      messageId: message.id,
      conversationId: message.conversationId,
      seq: message.seq,
      createdAt: message.createdAt,
      duplicate,
    });
    // A re-send is delivered again too: the first delivery may be what was lost. Clients
    // de-duplicate by message id.
    if (conversationKind === "group") this.groups.deliver(message, { memberIds, membershipSeq, duplicate }, conn);
    else this.deliver(message, memberIds, conn);
    // A re-send's pushes went out with the first one.
    if (!duplicate) this.deps.push?.enqueue(message, memberIds);
  }

  /** 1:1: pushes a committed message to every connection of every member except the sending one. */
  private deliver(message: Message, memberIds: string[], except: ClientConnection): void {
    for (const userId of memberIds) {
      for (const conn of this.deps.connections.ofUser(userId)) {
        if (conn !== except) conn.pushMessage(message);
      }
    }
    this.publishToRemote(message.conversationId, memberIds, (recipients) => ({
      type: "deliver",
      conversationId: message.conversationId,
      message,
      recipients,
    }));
  }

  // ─────────────────────────── ack / read ───────────────────────────

  private async onCursor(conn: ClientConnection, userId: string, frame: AckFrame | ReadFrame, kind: ReceiptKind): Promise<void> {
    // Either frame means the client holds everything up to seq: stop re-pushing those.
    conn.acknowledged(frame.conversationId, frame.seq);
    const moved = await this.deps.store.moveCursor(frame.conversationId, userId, kind, frame.seq);
    if (moved === null) throw new AppError(ErrorCode.Forbidden, "not a member of this conversation");
    // A receipt only when the stored cursor moved (§6): `ack 138` after `read 138` (which moved
    // delivered too) tells nobody anything new.
    const value = moved.value;
    if (!moved.moved || !conn.advanceAnnounced(frame.conversationId, kind, value)) return;
    // The caller's membership was checked by the store; the cached list says who to tell.
    const conversation = await this.deps.members.get(frame.conversationId);
    if (conversation === null) return;
    if (conversation.kind === "group") {
      this.groupReceipts.add(frame.conversationId, userId, kind, value, moved.previous);
      return;
    }
    const members = conversation.active;
    // Other members learn how far this user got; on a read, the user's own other devices do too
    // (their unread counts follow). A delivered cursor is of no use to the user's own devices.
    const recipients = kind === "read" ? members : members.filter((m) => m !== userId);
    if (recipients.length === 0) return;
    const receipt = { type: "receipt", conversationId: frame.conversationId, userId, kind, seq: value } as const;
    this.pushLocal(recipients, conn, receipt);
    this.publishToRemote(frame.conversationId, recipients, (to) => ({ ...receipt, recipients: to }));
  }

  /** The error of a frame handled beside the socket's queue (cursor moves, presence.query). */
  private reportDetachedError(conn: ClientConnection, ref: "ack" | "read" | "presence.query", err: unknown): void {
    if (isAppError(err)) {
      conn.sendError(err, ref);
      return;
    }
    this.deps.logger.error({ err, connId: conn.id, type: ref }, "frame handled beside the queue failed");
    conn.sendError(new AppError(ErrorCode.Internal, "internal error; retry"), ref);
  }

  // ─────────────────────────── sync ───────────────────────────

  private async onSync(conn: ClientConnection, userId: string, frame: SyncFrame): Promise<void> {
    // The store authorizes (FORBIDDEN for a user who never was a member) and clamps the page to
    // the user's membership window: a former member syncs up to its leaving, no further.
    const limit = frame.limit ?? Limits.defaultPageSize;
    const rows = await this.deps.store.after(frame.conversationId, frame.afterSeq, limit + 1, userId);
    const messages = rows.slice(0, limit);
    this.deps.metrics.syncRequests.inc();
    this.deps.metrics.synced(messages.length);
    // "Delete for me" reaches the user's other devices here too (one that was offline at the hide).
    const hidden = await this.deps.store.hiddenSeqs(frame.conversationId, userId);
    conn.send({
      type: "sync.batch",
      conversationId: frame.conversationId,
      messages,
      hasMore: rows.length > limit,
      lastSeq: messages.at(-1)?.seq ?? frame.afterSeq,
      ...(hidden.length > 0 ? { hidden } : {}),
    });
  }

  // ─────────────────────────── delete for me ───────────────────────────

  /** Stores the hides, then tells every connection of the user (this one included: its answer). */
  private async onHide(conn: ClientConnection, userId: string, frame: HideFrame): Promise<void> {
    const seqs = await this.deps.store.hide(frame.conversationId, userId, frame.seqs);
    if (seqs.length === 0) throw new AppError(ErrorCode.NotFound, "none of these seqs is a message you can hide");
    const hidden = { type: "hidden", conversationId: frame.conversationId, seqs } as const;
    this.pushLocal([userId], null, hidden);
    this.publishToRemote(frame.conversationId, [userId], (recipients) => ({ type: "hidden", conversationId: frame.conversationId, recipients, frame: hidden }));
  }

  // ─────────────────────────── fan-out ───────────────────────────

  private pushLocal(userIds: Iterable<string>, except: ClientConnection | null, frame: ServerFrame): void {
    for (const userId of userIds) {
      for (const conn of this.deps.connections.ofUser(userId)) {
        if (conn !== except) conn.send(frame);
      }
    }
  }

  /**
   * Queues (per conversation, in order) the publishing of one envelope per other node that holds
   * a connection of these users (presence routes); returns at once. Failures are logged, not
   * surfaced: the message is committed and sync repairs.
   */
  private publishToRemote(conversationId: string, userIds: string[], envelope: (recipients: string[]) => NodeEnvelope): void {
    void this.fanout.push(conversationId, async () => {
      // handed to the bus in call order; the bus keeps that order and batches (not awaited: acks)
      await publishToUsers({ bus: this.deps.bus, routes: this.deps.routes, userIds, envelope, exceptNodeId: this.deps.nodeId(), logger: this.deps.logger });
    });
  }
}
