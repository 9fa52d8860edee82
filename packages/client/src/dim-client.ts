/**
 * DimClient, the public face of the client core: it builds one object per job — the node link,
 * the sender leg, the recipient leg, the conversation views, the persistence — wires them
 * together through their small interfaces, routes each server frame to its leg, and re-emits
 * what they report as one typed event stream.
 */
import { AppError, DEFAULT_ACK_TIMEOUT_MS, ErrorCode, Limits, type ErrorFrame, type WelcomeFrame } from "@dim/shared";
import { DEFAULT_BACKOFF, type BackoffOptions } from "./backoff";
import { newClientMsgId } from "./client-msg-id";
import { ConversationViews } from "./conversation-views";
import { Emitter } from "./emitter";
import { GroupLeg } from "./group-leg";
import { appErrorOf, NodeLink, type SessionFrame } from "./node-link";
import { Outbox } from "./outbox";
import { ClientPersistence } from "./persistence";
import { RecipientLeg } from "./recipient-leg";
import { SenderLeg } from "./sender-leg";
import { MemoryClientStore, type ClientStore } from "./store";
import type { WebSocketConstructor } from "./transport";
import type { ChatMessage, ConnectionState, ConversationMeta, DimClientEvents, DimGateway, OutboxItem } from "./types";

export interface DimClientOptions {
  /** Assigns a node (and a socket token bound to it). See `gatewayPort`. */
  gateway: DimGateway;
  /** The WebSocket constructor: the browser's (default when present) or `ws`'s in Node. */
  WebSocket?: WebSocketConstructor;
  /** Persistence; in memory by default. */
  store?: ClientStore;
  /** Sender-leg ACK clock: wait, re-send once, wait, then failed. Default 4000 ms. */
  ackTimeoutMs?: number;
  /** Reconnect backoff (jittered, exponential). Default base 500 ms, cap 30 s. */
  backoff?: Partial<BackoffOptions>;
  /** Randomness for the jitter (tests pin it). */
  random?: () => number;
  /** Deadline for open + auth + welcome on one node before trying another. Default 10 s. */
  connectTimeoutMs?: number;
  /** A heartbeat `ping` unanswered this long means the link is gone (reconnect). Default 5 s. */
  pongTimeoutMs?: number;
  /** Messages per `sync` request. Default Limits.maxPageSize. */
  syncPageSize?: number;
  /**
   * A conversation the client has never held is synced from at most this many messages before
   * its last seq; older ones are paged with `loadOlder`. Default Limits.maxPageSize.
   */
  maxInitialSync?: number;
  /** After each welcome, ask the gateway for the other members' cursors missed while away. Default true. */
  refreshCursorsOnConnect?: boolean;
  newClientMsgId?: () => string;
  now?: () => Date;
}

/**
 * DIM's client core: one authenticated WebSocket to the core node the gateway assigned, the
 * sender leg's ACK clock, the recipient leg's de-duplication / contiguous ACK / gap sync, and
 * reconnection through the gateway. Framework-free; runs in browsers and in Node.
 */
export class DimClient extends Emitter<DimClientEvents> {
  private readonly persistence: ClientPersistence;
  private readonly link: NodeLink;
  private readonly views: ConversationViews;
  private readonly sender: SenderLeg;
  private readonly recipient: RecipientLeg;
  private readonly groups: GroupLeg;
  private readonly refreshCursorsOnConnect: boolean;
  private readonly loaded: Promise<void>;

  constructor(options: DimClientOptions) {
    super();
    const WebSocket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WebSocket) throw new AppError(ErrorCode.InvalidConfig, "no WebSocket implementation: pass options.WebSocket (e.g. the `ws` package in Node)");
    const gateway = options.gateway;
    this.refreshCursorsOnConnect = options.refreshCursorsOnConnect ?? true;

    this.persistence = new ClientPersistence(options.store ?? new MemoryClientStore(), (error) => this.emit("error", error));
    this.link = new NodeLink({
      gateway,
      WebSocket,
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      random: options.random ?? Math.random,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      pongTimeoutMs: options.pongTimeoutMs ?? 5_000,
      ready: () => this.loaded,
      handlers: {
        authenticated: (welcome) => this.adoptUser(welcome.userId),
        connected: (welcome) => this.resume(welcome),
        frame: (frame) => this.dispatch(frame),
        disconnected: () => {
          this.sender.pause();
          this.recipient.pause();
        },
        state: (state) => this.emit("state", state),
        error: (error) => this.emit("error", error),
      },
    });
    const outbox = new Outbox();
    this.views = new ConversationViews({
      outbox,
      persistence: this.persistence,
      maxInitialSync: options.maxInitialSync ?? Limits.maxPageSize,
      changed: (conversationId) => this.emit("conversation", { conversationId }),
    });
    this.sender = new SenderLeg({
      outbox,
      link: this.link,
      views: this.views,
      persistence: this.persistence,
      // The recipient leg is built next; it needs the sender leg too (an own message may come back as a push).
      confirmed: { storeOwn: (message, previous) => this.recipient.storeOwn(message, previous) },
      messageState: (change) => this.emit("messageState", change),
      ackTimeoutMs: options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
      newClientMsgId: options.newClientMsgId ?? newClientMsgId,
      now: options.now ?? (() => new Date()),
    });
    this.recipient = new RecipientLeg({
      link: this.link,
      views: this.views,
      persistence: this.persistence,
      sender: this.sender,
      gateway,
      syncPageSize: Math.min(options.syncPageSize ?? Limits.maxPageSize, Limits.maxPageSize),
      emit: (event, payload) => this.emit(event, payload),
    });
    this.groups = new GroupLeg({
      views: this.views,
      persistence: this.persistence,
      gateway,
      sender: this.sender,
      emit: (event, payload) => this.emit(event, payload),
    });
    this.loaded = this.persistence.load((snapshot) => {
      this.views.restore(snapshot);
      this.sender.restore(snapshot.outbox);
      this.views.invalidateAll();
    });
  }

  // ───────────────────────────── public state ─────────────────────────────

  get connectionState(): ConnectionState {
    return this.link.state;
  }

  /** Known after the first welcome (or from the store). */
  get userId(): string | null {
    return this.views.userId;
  }

  /** Own messages not confirmed by the server yet (sending or failed), in queue order. */
  get outbox(): readonly OutboxItem[] {
    return this.views.outbox();
  }

  /** Resolves once the persisted state has been read. */
  ready(): Promise<void> {
    return this.loaded;
  }

  conversationIds(): string[] {
    return this.views.ids();
  }

  conversationMeta(conversationId: string): (ConversationMeta & { heldSeq: number; unreadCount: number }) | undefined {
    return this.views.meta(conversationId);
  }

  /**
   * Stored messages ascending by seq, then own messages still in the outbox, in queue order.
   * The same array is returned until the conversation changes (a `conversation` event), so it
   * can serve directly as a React `useSyncExternalStore` snapshot.
   */
  conversationMessages(conversationId: string): readonly ChatMessage[] {
    return this.views.messages(conversationId);
  }

  // ───────────────────────────── lifecycle ─────────────────────────────

  /**
   * Starts connecting (gateway → node → auth → welcome → sync) and keeps the connection up until
   * `stop()`. Resolves at the first welcome; rejects if the client goes offline (a close code that
   * forbids reconnecting, or an invalid session) or is stopped first (CLIENT_STOPPED).
   */
  connect(): Promise<void> {
    return this.link.connect();
  }

  /**
   * Skips the rest of a reconnect backoff (e.g. on the browser's `online` event or when the app
   * comes to the foreground). Does nothing unless the client is waiting to reconnect.
   */
  reconnectNow(): void {
    this.link.reconnectNow();
  }

  /**
   * The host knows the network is gone (the browser's `offline` event): the socket is dropped at
   * once (it may look open for long on a dead link) and the client waits to reconnect; messages
   * sent meanwhile stay "sending" (queued) and go out, once each, after the next welcome. Call
   * `reconnectNow()` when the network is back.
   */
  networkLost(): void {
    this.link.networkLost();
  }

  /** Closes the socket and stops reconnecting. The outbox stays (a later `connect` re-sends it). */
  async stop(): Promise<void> {
    this.link.stop();
    await this.persistence.flush();
  }

  /** stop(), then forget everything this device holds for the user (logout). */
  async logout(): Promise<void> {
    await this.stop();
    this.forgetAll();
    this.persistence.clear();
    await this.persistence.flush();
  }

  // ───────────────────────────── messaging ─────────────────────────────

  /**
   * Queues a text message. It is written now when connected, else when the connection is back.
   * Throws AppError(BAD_REQUEST) for input the server would refuse; nothing is queued then.
   */
  send(conversationId: string, body: string, options: { clientMsgId?: string } = {}): ChatMessage {
    return this.sender.send(conversationId, body, options.clientMsgId);
  }

  /** Re-sends a failed message with its original clientMsgId (so it is stored at most once). */
  retry(clientMsgId: string): ChatMessage {
    return this.sender.retry(clientMsgId);
  }

  /** "I have read everything up to seq" in this conversation (sent now, or when connected). */
  markRead(conversationId: string, seq: number): void {
    this.recipient.markRead(conversationId, seq);
  }

  /**
   * Fetches the latest page of a conversation through the gateway (so a view can show history
   * before, or without, the socket) and keeps it like any other message: once each, persisted.
   * A conversation the client held nothing of starts at that page (older ones: `loadOlder`).
   */
  loadLatest(conversationId: string, limit?: number): Promise<{ added: number; hasMore: boolean }> {
    return this.recipient.loadLatest(conversationId, limit);
  }

  /** Pages older history in through the gateway (below what the client holds). */
  loadOlder(conversationId: string, limit?: number): Promise<{ added: number; hasMore: boolean }> {
    return this.recipient.loadOlder(conversationId, limit);
  }

  /**
   * Reads a group's members and their cursors (`groups.members`, every page) so its own messages
   * show "k of n" per member; call it when a group is opened. Later `conversation changed` frames
   * re-read them. Rejects with AppError (INVALID_CONFIG when the gateway port lacks groupMembers).
   */
  loadMemberCursors(conversationId: string): Promise<void> {
    return this.groups.loadMemberCursors(conversationId);
  }

  // ───────────────────────────── wiring ─────────────────────────────

  /** Another account on this device: nothing of the previous one may leak into this one. */
  private adoptUser(userId: string): void {
    if (this.views.userId !== null && this.views.userId !== userId) {
      this.forgetAll();
      this.persistence.clear();
    }
    if (this.views.userId !== userId) {
      this.views.userId = userId;
      this.persistence.saveUserId(userId);
      this.views.invalidateAll(); // `own` and `senderId` of every view depend on who we are
    }
  }

  /** Welcomed: catch up with the server's cursors, then send what waited, in this order. */
  private resume(welcome: WelcomeFrame): void {
    this.recipient.applyCursors(welcome.conversations);
    this.sender.flush();
    this.recipient.flushPendingReads(welcome.conversations);
    if (this.refreshCursorsOnConnect) void this.groups.refreshSummaries();
  }

  /** Each frame after welcome goes to the leg it answers. */
  private dispatch(frame: SessionFrame): void {
    switch (frame.type) {
      case "sent":
        return this.sender.onSent(frame);
      case "message":
        return this.recipient.onMessage(frame);
      case "sync.batch":
        return this.recipient.onSyncBatch(frame);
      case "receipt":
        return this.groups.onReceipt(frame) ? this.emit("receipt", frame) : this.recipient.onReceipt(frame);
      case "receipts":
        return this.groups.onReceipts(frame);
      case "conversation":
        return void this.groups.onConversation(frame);
      case "error":
        return this.onErrorFrame(frame);
      case "pong":
        return;
    }
  }

  private onErrorFrame(frame: ErrorFrame): void {
    if (!this.sender.onError(frame) && frame.ref === "sync") this.recipient.onSyncError();
    this.emit("error", appErrorOf(frame));
  }

  private forgetAll(): void {
    const ids = this.views.ids();
    this.views.clear();
    this.sender.reset();
    this.recipient.reset();
    this.groups.reset();
    this.views.invalidateAll(ids);
  }

  protected override onListenerError(error: unknown, event: string): void {
    if (event === "error") return;
    this.emit("error", new AppError(ErrorCode.Internal, `a '${event}' listener threw: ${String(error)}`));
  }
}
