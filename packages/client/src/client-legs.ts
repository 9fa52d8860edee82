/**
 * Builds the objects DimClient is made of — the node link, the sender, recipient, group and
 * attachment legs, the conversation views, the persistence, typing and presence — and wires them to each other
 * through their small interfaces. DimClient keeps the public API and routes frames to them.
 */
import { AppError, DEFAULT_ACK_TIMEOUT_MS, DEFAULT_GROUP_ACK_DELAY_MS, ErrorCode, Limits, type WelcomeFrame } from "@dim/shared";
import { AttachmentLeg } from "./attachment-leg";
import { DEFAULT_BACKOFF } from "./backoff";
import { newClientMsgId } from "./client-msg-id";
import { ConversationViews } from "./conversation-views";
import type { DimClientOptions } from "./dim-client-options";
import { GroupLeg } from "./group-leg";
import { NodeLink, type SessionFrame } from "./node-link";
import { Outbox } from "./outbox";
import { PresenceBook } from "./presence-book";
import { ClientPersistence } from "./persistence";
import { RecipientLeg } from "./recipient-leg";
import { SenderLeg } from "./sender-leg";
import { MemoryClientStore } from "./store";
import { MemoryThumbnailCache } from "./thumbnail-cache";
import { TypingLeg } from "./typing-leg";
import type { WebSocketConstructor } from "./transport";
import type { DimClientEvents } from "./types";

export interface ClientLegs {
  persistence: ClientPersistence;
  link: NodeLink;
  views: ConversationViews;
  sender: SenderLeg;
  recipient: RecipientLeg;
  groups: GroupLeg;
  attachments: AttachmentLeg;
  typing: TypingLeg;
  presence: PresenceBook;
}

/** What the legs call back into the client that holds them. */
export interface ClientHooks {
  /** Resolves once the persisted state is read: no socket opens before. */
  ready(): Promise<void>;
  authenticated(welcome: WelcomeFrame): void;
  connected(welcome: WelcomeFrame): void;
  frame(frame: SessionFrame): void;
  emit<K extends keyof DimClientEvents>(event: K, payload: DimClientEvents[K]): void;
}

export function buildClientLegs(options: DimClientOptions, WebSocket: WebSocketConstructor, hooks: ClientHooks): ClientLegs {
  const gateway = options.gateway;
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const random = options.random ?? Math.random;
  const newId = options.newClientMsgId ?? newClientMsgId;
  const now = options.now ?? (() => new Date());
  const persistence = new ClientPersistence(options.store ?? new MemoryClientStore(), (error) => hooks.emit("error", error));
  const link = new NodeLink({
    gateway,
    WebSocket,
    backoff,
    random,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    pongTimeoutMs: options.pongTimeoutMs ?? 5_000,
    replyProbeMs: options.replyProbeMs ?? 2_000,
    ready: () => hooks.ready(),
    handlers: {
      authenticated: (welcome) => hooks.authenticated(welcome),
      connected: (welcome) => hooks.connected(welcome),
      frame: (frame) => hooks.frame(frame),
      disconnected: () => {
        sender.pause();
        recipient.pause();
      },
      state: (state) => hooks.emit("state", state),
      error: (error) => hooks.emit("error", error),
    },
  });
  const outbox = new Outbox();
  const views = new ConversationViews({
    outbox,
    persistence,
    maxInitialSync: options.maxInitialSync ?? Limits.maxPageSize,
    changed: (conversationId) => hooks.emit("conversation", { conversationId }),
  });
  const sender: SenderLeg = new SenderLeg({
    outbox,
    link,
    views,
    persistence,
    // The recipient leg is built below; it needs the sender leg too (an own message may come back as a push).
    confirmed: { storeOwn: (message, previous) => recipient.storeOwn(message, previous) },
    messageState: (change) => hooks.emit("messageState", change),
    ackTimeoutMs: options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
    newClientMsgId: newId,
    now,
    // The attachment leg is built next; it runs the uploads the sender leg hands over.
    needsUpload: (item) => attachments.uploads.add(item),
    discarded: (item) => attachments.uploads.remove(item),
  });
  const attachments = new AttachmentLeg({
    files: options.files ?? null,
    thumbnails: options.thumbnails ?? new MemoryThumbnailCache(),
    maxUploadBytes: options.maxUploadBytes ?? null,
    sender,
    link,
    changed: (conversationId) => views.changed(conversationId),
    backoff,
    random,
    newClientMsgId: newId,
    now,
  });
  const recipient: RecipientLeg = new RecipientLeg({
    link,
    views,
    persistence,
    sender,
    gateway,
    syncPageSize: Math.min(options.syncPageSize ?? Limits.maxPageSize, Limits.maxPageSize),
    groupAckDelayMs: groupAckDelay(options.groupAckDelayMs),
    emit: (event, payload) => hooks.emit(event, payload),
  });
  const groups = new GroupLeg({ views, persistence, gateway, sender, emit: (event, payload) => hooks.emit(event, payload) });
  const typing = new TypingLeg({
    link,
    selfId: () => views.userId,
    changed: (conversationId, userIds) => hooks.emit("typing", { conversationId, userIds }),
  });
  const presence = new PresenceBook({ link, changed: (contacts) => hooks.emit("presence", { contacts }) });
  return { persistence, link, views, sender, recipient, groups, attachments, typing, presence };
}

/** groupAckDelayMs: 0 up to 2 s (the node's re-push clock, 4 s by default, must not fire first). */
function groupAckDelay(value: number | undefined): number {
  if (value === undefined) return DEFAULT_GROUP_ACK_DELAY_MS;
  if (!Number.isFinite(value) || value < 0 || value > 2_000) {
    throw new AppError(ErrorCode.InvalidConfig, `groupAckDelayMs must be 0 to 2000 ms, got ${String(value)}`);
  }
  return value;
}
