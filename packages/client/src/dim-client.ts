import {
  AppError,
  CloseCode,
  DEFAULT_ACK_TIMEOUT_MS,
  ErrorCode,
  Limits,
  PROTOCOL_VERSION,
  type ClientFrame,
  type ConversationCursor,
  type ErrorFrame,
  type Message,
  type MessageFrame,
  type ReceiptFrame,
  type SentFrame,
  type ServerFrame,
  type SyncBatchFrame,
  type WelcomeFrame,
  markReadInput,
  parseServerFrame,
  sendFrame,
  shouldReconnect,
} from "@dim/shared";
import { AckClock } from "./ack-clock";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff";
import { newClientMsgId } from "./client-msg-id";
import { ConversationState } from "./conversation-state";
import { Emitter } from "./emitter";
import { Outbox } from "./outbox";
import { MemoryClientStore, type ClientStore } from "./store";
import { frameText, WS_OPEN, type WebSocketConstructor, type WebSocketLike } from "./transport";
import type {
  ChatMessage,
  ConnectionState,
  ConversationMeta,
  DimClientEvents,
  DimGateway,
  FailureReason,
  MessageState,
  OutboxItem,
} from "./types";

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

/** Close codes after which the node itself is suspect: reconnect elsewhere (exclude it). */
const DEAD_NODE_CODES = new Set<number>([1001, 1006, 1011, 1012, 1013, 1014, CloseCode.NodeShuttingDown]);
/** Server errors on a `send` that a re-send may cure: the ACK clock keeps running. */
const TRANSIENT_SEND_ERRORS = new Set<string>([ErrorCode.RateLimited, ErrorCode.Internal]);
/** Closes the client makes itself; local meaning only. */
const CLIENT_CLOSE = 1000;

interface Connection {
  ws: WebSocketLike;
  nodeId: string;
  welcome: WelcomeFrame | null;
  /** open + welcome deadline, then the silence watchdog. */
  watchdog: ReturnType<typeof setTimeout> | null;
  heartbeat: ReturnType<typeof setTimeout> | null;
  /** In-flight sync per conversation: the afterSeq asked for. */
  syncing: Map<string, number>;
}

/**
 * DIM's client core: one authenticated WebSocket to the core node the gateway assigned, the
 * sender leg's ACK clock, the recipient leg's de-duplication / contiguous ACK / gap sync, and
 * reconnection through the gateway. Framework-free; runs in browsers and in Node.
 */
export class DimClient extends Emitter<DimClientEvents> {
  private readonly gateway: DimGateway;
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly store: ClientStore;
  private readonly ackTimeoutMs: number;
  private readonly backoffOptions: BackoffOptions;
  private readonly random: () => number;
  private readonly connectTimeoutMs: number;
  private readonly syncPageSize: number;
  private readonly maxInitialSync: number;
  private readonly refreshCursorsOnConnect: boolean;
  private readonly makeClientMsgId: () => string;
  private readonly now: () => Date;

  private state: ConnectionState = { status: "offline", reason: null };
  private running = false;
  private conn: Connection | null = null;
  private attempt = 0;
  private deadNodes: string[] = [];
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private openSeq = 0;
  private userIdValue: string | null = null;
  private readonly conversations = new Map<string, ConversationState>();
  /** conversationId → ACK due (true: repeat it even if already sent) until the next flush. */
  private readonly acksDue = new Map<string, boolean>();
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly outboxItems = new Outbox();
  private readonly pendingReads = new Map<string, number>();
  /** Highest `ack` the server has (from welcome cursors) or was sent on this connection. */
  private readonly acked = new Map<string, number>();
  /** Cached views (stable identities for UI snapshots), dropped on every change. */
  private readonly views = new Map<string, readonly ChatMessage[]>();
  private outboxView: readonly OutboxItem[] | null = null;
  /** Last transient server error (rate limit, internal) per clientMsgId still on its clock. */
  private readonly transientErrors = new Map<string, FailureReason>();
  private readonly ackClock: AckClock;
  private readonly loaded: Promise<void>;
  private writes: Promise<void> = Promise.resolve();
  private connectWaiters: Array<{ resolve: () => void; reject: (e: AppError) => void }> = [];

  constructor(options: DimClientOptions) {
    super();
    this.gateway = options.gateway;
    const ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!ctor) throw new AppError(ErrorCode.InvalidConfig, "no WebSocket implementation: pass options.WebSocket (e.g. the `ws` package in Node)");
    this.WebSocketImpl = ctor;
    this.store = options.store ?? new MemoryClientStore();
    this.ackTimeoutMs = options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
    this.backoffOptions = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.random = options.random ?? Math.random;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.syncPageSize = Math.min(options.syncPageSize ?? Limits.maxPageSize, Limits.maxPageSize);
    this.maxInitialSync = options.maxInitialSync ?? Limits.maxPageSize;
    this.refreshCursorsOnConnect = options.refreshCursorsOnConnect ?? true;
    this.makeClientMsgId = options.newClientMsgId ?? newClientMsgId;
    this.now = options.now ?? (() => new Date());
    this.ackClock = new AckClock(this.ackTimeoutMs, {
      resend: (id) => this.resendOnTimeout(id),
      fail: (id) => this.failOnTimeout(id),
    });
    this.loaded = this.loadStore();
  }

  // ───────────────────────────── public state ─────────────────────────────

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** Known after the first welcome (or from the store). */
  get userId(): string | null {
    return this.userIdValue;
  }

  /** Own messages not confirmed by the server yet (sending or failed), in queue order. */
  get outbox(): readonly OutboxItem[] {
    this.outboxView ??= Object.freeze(this.outboxItems.all().map((i) => ({ ...i })));
    return this.outboxView;
  }

  /** Resolves once the persisted state has been read. */
  ready(): Promise<void> {
    return this.loaded;
  }

  conversationIds(): string[] {
    return [...this.conversations.keys()];
  }

  conversationMeta(conversationId: string): (ConversationMeta & { heldSeq: number; unreadCount: number }) | undefined {
    const conv = this.conversations.get(conversationId);
    if (!conv) return undefined;
    return { ...conv.meta, heldSeq: conv.contiguousSeq, unreadCount: conv.unreadCount(this.userIdValue) };
  }

  /**
   * Stored messages ascending by seq, then own messages still in the outbox, in queue order.
   * The same array is returned until the conversation changes (a `conversation` event), so it
   * can serve directly as a React `useSyncExternalStore` snapshot.
   */
  conversationMessages(conversationId: string): readonly ChatMessage[] {
    const cached = this.views.get(conversationId);
    if (cached) return cached;
    const conv = this.conversations.get(conversationId);
    const stored = conv ? conv.messages().map((m) => this.viewOf(conv, m)) : [];
    const pending = this.outboxItems.inConversation(conversationId).map((i) => this.viewOfOutbox(i));
    const view = Object.freeze([...stored, ...pending]);
    this.views.set(conversationId, view);
    return view;
  }

  // ───────────────────────────── lifecycle ─────────────────────────────

  /**
   * Starts connecting (gateway → node → auth → welcome → sync) and keeps the connection up until
   * `stop()`. Resolves at the first welcome; rejects if the client goes offline (a close code that
   * forbids reconnecting, or an invalid session) or is stopped first.
   */
  connect(): Promise<void> {
    if (this.state.status === "connected") return Promise.resolve();
    const waiter = new Promise<void>((resolve, reject) => this.connectWaiters.push({ resolve, reject }));
    // Hosts that follow the `state` event instead of awaiting must not see an unhandled rejection.
    waiter.catch(() => {});
    if (!this.running) {
      this.running = true;
      this.attempt = 0;
      void this.open();
    }
    return waiter;
  }

  /**
   * Skips the rest of a reconnect backoff (e.g. on the browser's `online` event or when the app
   * comes to the foreground). Does nothing unless the client is waiting to reconnect.
   */
  reconnectNow(): void {
    if (!this.running || this.state.status !== "reconnecting") return;
    this.clearReconnectTimer();
    void this.open();
  }

  /** Closes the socket and stops reconnecting. The outbox stays (a later `connect` re-sends it). */
  async stop(): Promise<void> {
    this.running = false;
    this.openSeq++;
    this.clearReconnectTimer();
    if (this.conn) {
      const ws = this.conn.ws;
      this.dropConnection();
      ws.close(CLIENT_CLOSE, "client stop");
    }
    this.setState({ status: "stopped" });
    this.settleWaiters(new AppError(ErrorCode.Internal, "client stopped before connecting"));
    await this.writes;
  }

  /** stop(), then forget everything this device holds for the user (logout). */
  async logout(): Promise<void> {
    await this.stop();
    this.resetMemory();
    this.persist(() => this.store.clear());
    await this.writes;
  }

  // ───────────────────────────── messaging ─────────────────────────────

  /**
   * Queues a text message. It is written now when connected, else when the connection is back.
   * Throws AppError(BAD_REQUEST) for input the server would refuse; nothing is queued then.
   */
  send(conversationId: string, body: string, options: { clientMsgId?: string } = {}): ChatMessage {
    const clientMsgId = options.clientMsgId ?? this.makeClientMsgId();
    const parsed = sendFrame.safeParse({ type: "send", conversationId, clientMsgId, kind: "text", body });
    if (!parsed.success) {
      throw new AppError(ErrorCode.BadRequest, `invalid message: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    if (this.outboxItems.has(clientMsgId) || this.findStoredByClientMsgId(conversationId, clientMsgId)) {
      throw new AppError(ErrorCode.Conflict, `clientMsgId ${clientMsgId} is already used`);
    }
    const item: OutboxItem = {
      clientMsgId,
      conversationId,
      kind: "text",
      body,
      createdAt: this.now().toISOString(),
      state: "sending",
      error: null,
    };
    this.outboxItems.add(item);
    this.persist(() => this.store.saveOutboxItem(item));
    this.emitState(item, null);
    this.writeSend(item);
    return this.viewOfOutbox(item);
  }

  /** Re-sends a failed message with its original clientMsgId (so it is stored at most once). */
  retry(clientMsgId: string): ChatMessage {
    const item = this.outboxItems.get(clientMsgId);
    if (!item) throw new AppError(ErrorCode.NotFound, `no queued message ${clientMsgId}`);
    if (item.state === "failed") {
      item.state = "sending";
      item.error = null;
      this.persist(() => this.store.saveOutboxItem(item));
      this.emitState(item, "failed");
    }
    if (!this.ackClock.isRunning(clientMsgId)) this.writeSend(item);
    return this.viewOfOutbox(item);
  }

  /** "I have read everything up to seq" in this conversation (sent now, or when connected). */
  markRead(conversationId: string, seq: number): void {
    const parsed = markReadInput.safeParse({ conversationId, seq });
    if (!parsed.success) throw new AppError(ErrorCode.BadRequest, "markRead needs a conversation id and a seq ≥ 1");
    const conv = this.conversation(conversationId);
    if (seq <= conv.meta.readSeq) return;
    conv.meta.readSeq = seq;
    this.saveMeta(conv);
    this.changed(conversationId);
    if (!this.write({ type: "read", conversationId, seq })) {
      this.pendingReads.set(conversationId, Math.max(seq, this.pendingReads.get(conversationId) ?? 0));
    }
  }

  /**
   * Fetches the latest page of a conversation through the gateway (so a view can show history
   * before, or without, the socket) and keeps it like any other message: once each, persisted.
   * A conversation the client held nothing of starts at that page (older ones: `loadOlder`).
   */
  async loadLatest(conversationId: string, limit: number = Limits.defaultPageSize): Promise<{ added: number; hasMore: boolean }> {
    if (!this.gateway.history) throw new AppError(ErrorCode.InvalidConfig, "this gateway port cannot page history");
    const page = await this.gateway.history({ conversationId, limit });
    const conv = this.conversation(conversationId, page.lastSeq);
    const first = page.messages[0];
    if (first && conv.lowestSeq() === undefined) conv.startAt(page.hasMore ? first.seq - 1 : 0);
    conv.meta.knownLastSeq = Math.max(conv.meta.knownLastSeq, page.lastSeq);
    const added = this.applyMessages(conv, page.messages);
    this.saveMeta(conv);
    this.changed(conversationId);
    if (this.conn?.welcome) {
      if (conv.contiguousSeq < conv.meta.knownLastSeq) this.requestSync(this.conn, conv);
      this.ackContiguous(conv, false);
    }
    return { added, hasMore: page.hasMore };
  }

  /** Pages older history in through the gateway (below what the client holds). */
  async loadOlder(conversationId: string, limit: number = Limits.defaultPageSize): Promise<{ added: number; hasMore: boolean }> {
    if (!this.gateway.history) throw new AppError(ErrorCode.InvalidConfig, "this gateway port cannot page history");
    const conv = this.conversation(conversationId);
    const before = Math.min(conv.lowestSeq() ?? conv.meta.baseSeq + 1, conv.meta.baseSeq + 1);
    if (before <= 1) return { added: 0, hasMore: false };
    const page = await this.gateway.history({ conversationId, beforeSeq: before, limit });
    const added = this.applyMessages(conv, page.messages);
    const first = page.messages[0];
    conv.lowerBase(page.hasMore && first ? first.seq - 1 : 0);
    this.saveMeta(conv);
    this.changed(conversationId);
    return { added, hasMore: page.hasMore };
  }

  // ───────────────────────────── connection ─────────────────────────────

  private async open(): Promise<void> {
    this.reconnectTimer = null;
    // Each attempt has an id: a stop(), or a newer attempt, makes an older one give up after its
    // awaits instead of opening a second socket.
    const id = ++this.openSeq;
    const stale = () => !this.running || id !== this.openSeq;
    if (stale()) return;
    await this.loaded;
    if (stale()) return;
    this.setState({ status: "connecting", attempt: this.attempt });
    let assignment;
    try {
      assignment = await this.gateway.assignNode({ exclude: [...this.deadNodes] });
    } catch (error) {
      if (stale()) return;
      const appError = error instanceof AppError ? error : new AppError(ErrorCode.Internal, `gateway unreachable: ${String(error)}`);
      this.emit("error", appError);
      // No valid session: reconnecting cannot help; the person must log in again.
      if (appError.code === ErrorCode.Unauthorized) return this.goOffline({ code: appError.code, message: appError.message });
      return this.scheduleReconnect();
    }
    if (stale()) return;

    let ws: WebSocketLike;
    try {
      // The token goes in the first frame, never in the URL (URLs end up in logs).
      ws = new this.WebSocketImpl(assignment.wsUrl);
    } catch (error) {
      this.emit("error", new AppError(ErrorCode.Internal, `cannot open ${assignment.wsUrl}: ${String(error)}`));
      this.markDead(assignment.nodeId);
      return this.scheduleReconnect();
    }
    const conn: Connection = { ws, nodeId: assignment.nodeId, welcome: null, watchdog: null, heartbeat: null, syncing: new Map() };
    this.conn = conn;
    conn.watchdog = setTimeout(() => this.abandon(conn, "no welcome before the connect deadline"), this.connectTimeoutMs);
    ws.onopen = () => {
      if (this.conn !== conn) return;
      this.rawWrite(conn, { type: "auth", v: PROTOCOL_VERSION, token: assignment.token });
    };
    ws.onmessage = (event) => {
      if (this.conn !== conn) return;
      this.onFrame(conn, event.data);
    };
    ws.onerror = () => {
      // A close event always follows; it carries the code we act on.
    };
    ws.onclose = (event) => {
      if (this.conn !== conn) return;
      this.onClose(conn, event.code, event.reason);
    };
  }

  private onClose(conn: Connection, code: number, reason: string): void {
    this.dropConnection();
    if (!this.running) return;
    if (!shouldReconnect(code)) {
      this.emit("error", new AppError(ErrorCode.Internal, `connection closed (${code}${reason ? `: ${reason}` : ""}); not reconnecting`, { closeCode: code }));
      return this.goOffline({ code, message: reason || `closed with ${code}` });
    }
    if (DEAD_NODE_CODES.has(code) || conn.welcome === null) {
      // 4401 means our token was refused: the node is fine, a new assignment brings a new token.
      if (code !== CloseCode.Unauthorized && code !== CloseCode.AuthTimeout) this.markDead(conn.nodeId);
    }
    this.scheduleReconnect();
  }

  /** The node went silent (or never welcomed us): treat it as dead and go elsewhere. */
  private abandon(conn: Connection, why: string): void {
    if (this.conn !== conn) return;
    this.emit("error", new AppError(ErrorCode.Internal, `node ${conn.nodeId}: ${why}`, { nodeId: conn.nodeId }));
    this.dropConnection();
    try {
      conn.ws.close(CLIENT_CLOSE, why.slice(0, 100));
    } catch {
      // Closing a socket that never opened may throw in some implementations; it is gone either way.
    }
    this.markDead(conn.nodeId);
    if (this.running) this.scheduleReconnect();
  }

  private dropConnection(): void {
    const conn = this.conn;
    if (!conn) return;
    this.conn = null;
    if (conn.watchdog) clearTimeout(conn.watchdog);
    if (conn.heartbeat) clearTimeout(conn.heartbeat);
    conn.ws.onopen = conn.ws.onmessage = conn.ws.onerror = conn.ws.onclose = null;
    // Unconfirmed sends stay "sending"; they are written again (new clocks) on the next welcome.
    this.ackClock.stopAll();
  }

  private markDead(nodeId: string): void {
    if (!this.deadNodes.includes(nodeId)) this.deadNodes.push(nodeId);
    if (this.deadNodes.length > 16) this.deadNodes.shift();
  }

  private scheduleReconnect(): void {
    if (!this.running) return;
    this.clearReconnectTimer();
    const inMs = backoffDelay(this.attempt, this.backoffOptions, this.random);
    this.attempt++;
    this.setState({ status: "reconnecting", inMs, attempt: this.attempt });
    this.reconnectTimer = setTimeout(() => void this.open(), inMs);
  }

  private clearReconnectTimer(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private goOffline(reason: { code: number | ErrorCode; message: string }): void {
    this.running = false;
    this.clearReconnectTimer();
    this.setState({ status: "offline", reason });
    this.settleWaiters(new AppError(typeof reason.code === "string" ? reason.code : ErrorCode.Internal, reason.message));
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.emit("state", state);
  }

  private settleWaiters(error?: AppError): void {
    const waiters = this.connectWaiters;
    this.connectWaiters = [];
    for (const w of waiters) (error ? w.reject(error) : w.resolve());
  }

  // ───────────────────────────── inbound frames ─────────────────────────────

  private onFrame(conn: Connection, data: unknown): void {
    const text = frameText(data);
    const parsed = text === undefined ? null : parseServerFrame(text);
    if (!parsed || !parsed.ok) {
      this.emit("error", parsed?.error ?? new AppError(ErrorCode.BadRequest, "binary frame from server ignored"));
      return;
    }
    const frame: ServerFrame = parsed.frame;
    if (conn.welcome === null) {
      if (frame.type === "welcome") return this.onWelcome(conn, frame);
      if (frame.type === "error") return this.emit("error", toAppError(frame));
      this.emit("error", new AppError(ErrorCode.BadRequest, `'${frame.type}' frame before welcome ignored`));
      return;
    }
    this.armSilenceWatchdog(conn);
    switch (frame.type) {
      case "sent":
        return this.onSent(frame);
      case "message":
        return this.onMessage(conn, frame);
      case "sync.batch":
        return this.onSyncBatch(conn, frame);
      case "receipt":
        return this.onReceipt(frame);
      case "error":
        return this.onError(conn, frame);
      case "pong":
        return;
      case "welcome":
        this.emit("error", new AppError(ErrorCode.BadRequest, "second welcome ignored"));
        return;
    }
  }

  private onWelcome(conn: Connection, welcome: WelcomeFrame): void {
    if (this.userIdValue !== null && this.userIdValue !== welcome.userId) {
      // Another account on this device: nothing of the previous one may leak into this one.
      this.resetMemory();
      this.persist(() => this.store.clear());
    }
    if (this.userIdValue !== welcome.userId) {
      this.userIdValue = welcome.userId;
      this.persist(() => this.store.saveUserId(welcome.userId));
      this.invalidateAll(); // `own` and `senderId` of every view depend on who we are
    }
    conn.welcome = welcome;
    this.attempt = 0;
    this.deadNodes = [];
    this.armSilenceWatchdog(conn);
    this.armHeartbeat(conn);
    this.setState({ status: "connected", nodeId: welcome.nodeId, connectionId: welcome.connectionId });
    this.settleWaiters();

    for (const cursor of welcome.conversations) this.applyCursor(conn, cursor);
    for (const item of this.outboxItems.pending()) this.writeSend(item);
    const known = new Set(welcome.conversations.map((c) => c.conversationId));
    for (const [conversationId, seq] of this.pendingReads) if (!known.has(conversationId)) this.write({ type: "read", conversationId, seq });
    this.pendingReads.clear();
    if (this.refreshCursorsOnConnect && this.gateway.listConversations) void this.refreshPeerCursors(conn);
  }

  private applyCursor(conn: Connection, cursor: ConversationCursor): void {
    const conv = this.conversation(cursor.conversationId, cursor.lastSeq);
    conv.meta.knownLastSeq = Math.max(conv.meta.knownLastSeq, cursor.lastSeq);
    // Reads made while offline go out now; the server's cursor only moves forward.
    if (conv.meta.readSeq > cursor.readSeq) this.write({ type: "read", conversationId: cursor.conversationId, seq: conv.meta.readSeq });
    conv.meta.readSeq = Math.max(conv.meta.readSeq, cursor.readSeq);
    this.saveMeta(conv);
    this.acked.set(cursor.conversationId, cursor.deliveredSeq);
    this.ackContiguous(conv, false);
    if (conv.contiguousSeq < cursor.lastSeq) this.requestSync(conn, conv);
    else this.emit("synced", { conversationId: cursor.conversationId, lastSeq: conv.contiguousSeq });
  }

  private async refreshPeerCursors(conn: Connection): Promise<void> {
    try {
      const list = (await this.gateway.listConversations?.()) ?? [];
      if (this.conn !== conn) return;
      for (const summary of list) {
        if (summary.peersDeliveredSeq > 0) this.applyPeerCursor(summary.id, "delivered", summary.peersDeliveredSeq);
        if (summary.peersReadSeq > 0) this.applyPeerCursor(summary.id, "read", summary.peersReadSeq);
      }
    } catch (error) {
      this.emit("error", error instanceof AppError ? error : new AppError(ErrorCode.Internal, `cannot refresh cursors: ${String(error)}`));
    }
  }

  private onSent(frame: SentFrame): void {
    this.ackClock.stop(frame.clientMsgId);
    const item = this.outboxItems.get(frame.clientMsgId);
    if (!item || item.conversationId !== frame.conversationId) return; // a second answer to a re-send: already applied
    const message: Message = {
      id: frame.messageId,
      conversationId: frame.conversationId,
      seq: frame.seq,
      senderId: this.userIdValue ?? "",
      clientMsgId: item.clientMsgId,
      kind: item.kind,
      body: item.body,
      createdAt: frame.createdAt,
    };
    this.confirm(item, message);
  }

  /** An outbox item is now stored on the server: move it into its conversation. */
  private confirm(item: OutboxItem, message: Message): void {
    this.outboxItems.remove(item.clientMsgId);
    this.transientErrors.delete(item.clientMsgId);
    this.persist(() => this.store.deleteOutboxItem(item.clientMsgId));
    const conv = this.conversation(message.conversationId);
    const gapBefore = conv.hasGapBefore(message.seq);
    if (conv.insert(message)) this.persist(() => this.store.saveMessages([message]));
    this.saveMeta(conv);
    const stored = conv.get(message.seq) ?? message;
    this.emit("messageState", {
      conversationId: message.conversationId,
      clientMsgId: item.clientMsgId,
      messageId: stored.id,
      seq: stored.seq,
      previous: item.state,
      state: conv.stateOfSeq(stored.seq),
      error: null,
    });
    this.changed(message.conversationId);
    if (this.conn?.welcome) {
      if (gapBefore) this.requestSync(this.conn, conv);
      this.ackContiguous(conv, false);
    }
  }

  private onMessage(conn: Connection, frame: MessageFrame): void {
    const message = frame.message;
    const conv = this.conversation(message.conversationId, message.seq);
    const gapBefore = conv.hasGapBefore(message.seq);
    const added = this.applyMessages(conv, [message]);
    this.saveMeta(conv);
    if (gapBefore) this.requestSync(conn, conv);
    // A duplicate push means the server did not get our ACK: say it again.
    this.ackContiguous(conv, added === 0);
  }

  private onSyncBatch(conn: Connection, frame: SyncBatchFrame): void {
    const conv = this.conversation(frame.conversationId, frame.lastSeq);
    const askedAfter = conn.syncing.get(frame.conversationId) ?? -1;
    conn.syncing.delete(frame.conversationId);
    conv.meta.knownLastSeq = Math.max(conv.meta.knownLastSeq, frame.lastSeq);
    this.applyMessages(conv, frame.messages);
    this.saveMeta(conv);
    this.ackContiguous(conv, false);
    const progressed = conv.contiguousSeq > askedAfter;
    if ((frame.hasMore || conv.contiguousSeq < conv.meta.knownLastSeq) && progressed) {
      this.requestSync(conn, conv);
    } else if (conv.contiguousSeq >= conv.meta.knownLastSeq) {
      this.emit("synced", { conversationId: frame.conversationId, lastSeq: conv.contiguousSeq });
    } else {
      this.emit(
        "error",
        new AppError(ErrorCode.Internal, `sync of ${frame.conversationId} stalled at seq ${conv.contiguousSeq} (server lastSeq ${conv.meta.knownLastSeq})`),
      );
    }
  }

  private onReceipt(frame: ReceiptFrame): void {
    if (frame.userId === this.userIdValue) {
      // My other device moved my own cursor.
      if (frame.kind === "read") {
        const conv = this.conversation(frame.conversationId);
        if (frame.seq > conv.meta.readSeq) {
          conv.meta.readSeq = frame.seq;
          this.saveMeta(conv);
          this.changed(frame.conversationId);
        }
      }
    } else {
      this.applyPeerCursor(frame.conversationId, frame.kind, frame.seq);
    }
    this.emit("receipt", frame);
  }

  /** Watermark: every own message with seq ≤ `seq` is now at least delivered / read. */
  private applyPeerCursor(conversationId: string, kind: "delivered" | "read", seq: number): void {
    const conv = this.conversation(conversationId);
    const key = kind === "read" ? "peersReadSeq" : "peersDeliveredSeq";
    const before = conv.meta[key];
    if (seq <= before) return;
    const oldStates = new Map(conv.ownMessagesIn(before, seq, this.userIdValue).map((m) => [m.seq, conv.stateOfSeq(m.seq)]));
    conv.meta[key] = seq;
    this.saveMeta(conv);
    for (const [s, previous] of oldStates) {
      const m = conv.get(s);
      const state = conv.stateOfSeq(s);
      if (!m || state === previous) continue;
      this.emit("messageState", { conversationId, clientMsgId: m.clientMsgId, messageId: m.id, seq: s, previous, state, error: null });
    }
    this.changed(conversationId);
  }

  private onError(conn: Connection, frame: ErrorFrame): void {
    const error = toAppError(frame);
    const item = frame.ref ? this.outboxItems.get(frame.ref) : undefined;
    if (item && TRANSIENT_SEND_ERRORS.has(frame.code) && this.ackClock.isRunning(item.clientMsgId)) {
      // Worth the one re-send the clock will make; if that fails too, this is the reason shown.
      this.transientErrors.set(item.clientMsgId, { code: frame.code, message: frame.message });
    } else if (item) {
      this.ackClock.stop(item.clientMsgId);
      this.markFailed(item, { code: frame.code, message: frame.message });
    } else if (frame.ref === "sync") {
      // We cannot tell which conversation; let the next gap or welcome ask again.
      conn.syncing.clear();
    }
    this.emit("error", error);
  }

  // ───────────────────────────── recipient leg ─────────────────────────────

  /** Stores new messages (ignoring ones already held) and announces them. Returns how many were new. */
  private applyMessages(conv: ConversationState, messages: Message[]): number {
    const fresh: Message[] = [];
    for (const message of messages) {
      if (message.conversationId !== conv.meta.conversationId) continue;
      // My own message, pushed or synced before its `sent` reached this socket.
      const own = this.outboxItems.get(message.clientMsgId);
      if (own && message.senderId === this.userIdValue && own.conversationId === message.conversationId) {
        this.ackClock.stop(own.clientMsgId);
        this.confirm(own, message);
        continue;
      }
      if (conv.insert(message)) fresh.push(message);
    }
    if (fresh.length === 0) return 0;
    this.persist(() => this.store.saveMessages(fresh));
    for (const m of fresh) this.emit("message", this.viewOf(conv, m));
    this.changed(conv.meta.conversationId);
    return fresh.length;
  }

  /**
   * ACKs are coalesced: the ones made due while handling a burst of frames go out as one `ack`
   * per conversation on the next macrotask (a re-pushed backlog must not become a frame flood).
   */
  private ackContiguous(conv: ConversationState, force: boolean): void {
    const conversationId = conv.meta.conversationId;
    this.acksDue.set(conversationId, force || (this.acksDue.get(conversationId) ?? false));
    this.ackTimer ??= setTimeout(() => this.flushAcks(), 0);
  }

  private flushAcks(): void {
    this.ackTimer = undefined;
    const due = [...this.acksDue];
    this.acksDue.clear();
    for (const [conversationId, force] of due) {
      const conv = this.conversations.get(conversationId);
      if (conv) this.writeAck(conv, force);
    }
  }

  /** ACK the highest contiguous seq held (never past a gap, never a seq not held). */
  private writeAck(conv: ConversationState, force: boolean): void {
    const seq = conv.contiguousSeq;
    if (seq < 1 || !conv.has(seq)) return;
    const acked = this.acked.get(conv.meta.conversationId) ?? 0;
    if (seq <= acked && !force) return;
    if (this.write({ type: "ack", conversationId: conv.meta.conversationId, seq })) {
      this.acked.set(conv.meta.conversationId, Math.max(acked, seq));
    }
  }
  private requestSync(conn: Connection, conv: ConversationState): void {
    const conversationId = conv.meta.conversationId;
    if (conn.syncing.has(conversationId) || this.conn !== conn || !conn.welcome) return;
    const afterSeq = conv.contiguousSeq;
    conn.syncing.set(conversationId, afterSeq);
    this.write({ type: "sync", conversationId, afterSeq, limit: this.syncPageSize });
  }

  // ───────────────────────────── sender leg ─────────────────────────────

  private writeSend(item: OutboxItem): void {
    if (item.state !== "sending") return;
    const written = this.write({ type: "send", conversationId: item.conversationId, clientMsgId: item.clientMsgId, kind: item.kind, body: item.body });
    if (written) this.ackClock.start(item.clientMsgId);
  }

  private resendOnTimeout(clientMsgId: string): void {
    const item = this.outboxItems.get(clientMsgId);
    if (!item || item.state !== "sending") return this.ackClock.stop(clientMsgId);
    this.write({ type: "send", conversationId: item.conversationId, clientMsgId, kind: item.kind, body: item.body });
  }

  private failOnTimeout(clientMsgId: string): void {
    const item = this.outboxItems.get(clientMsgId);
    if (!item || item.state !== "sending") return;
    this.markFailed(
      item,
      this.transientErrors.get(clientMsgId) ?? { code: "ACK_TIMEOUT", message: `no server ACK after ${(2 * this.ackTimeoutMs) / 1000} s and one re-send` },
    );
  }

  private markFailed(item: OutboxItem, reason: FailureReason): void {
    this.transientErrors.delete(item.clientMsgId);
    const previous = item.state;
    item.state = "failed";
    item.error = reason;
    this.persist(() => this.store.saveOutboxItem(item));
    this.emitState(item, previous);
  }

  private emitState(item: OutboxItem, previous: MessageState | null): void {
    this.emit("messageState", {
      conversationId: item.conversationId,
      clientMsgId: item.clientMsgId,
      messageId: null,
      seq: null,
      previous,
      state: item.state,
      error: item.error,
    });
    this.changed(item.conversationId);
  }

  // ───────────────────────────── writing ─────────────────────────────

  /** Writes a frame on an authenticated socket; false when there is none (the caller queues). */
  private write(frame: ClientFrame): boolean {
    const conn = this.conn;
    if (!conn || !conn.welcome) return false;
    return this.rawWrite(conn, frame);
  }

  private rawWrite(conn: Connection, frame: ClientFrame): boolean {
    if (conn.ws.readyState !== WS_OPEN) return false;
    try {
      conn.ws.send(JSON.stringify(frame));
    } catch (error) {
      this.emit("error", new AppError(ErrorCode.Internal, `write failed: ${String(error)}`));
      return false;
    }
    if (conn.welcome) this.armHeartbeat(conn);
    return true;
  }

  /** Heartbeat: a `ping` once the socket has been write-idle for welcome.heartbeatMs. */
  private armHeartbeat(conn: Connection): void {
    if (conn.heartbeat) clearTimeout(conn.heartbeat);
    const ms = conn.welcome?.heartbeatMs;
    if (!ms) return;
    conn.heartbeat = setTimeout(() => {
      conn.heartbeat = null;
      if (this.conn === conn) this.rawWrite(conn, { type: "ping", t: Date.now() });
    }, ms);
  }

  /**
   * The server answers every ping, so silence longer than its own idle timeout means the node or
   * the path to it is gone (a half-open TCP connection shows no close event).
   */
  private armSilenceWatchdog(conn: Connection): void {
    if (conn.watchdog) clearTimeout(conn.watchdog);
    const ms = conn.welcome ? conn.welcome.idleTimeoutMs : this.connectTimeoutMs;
    conn.watchdog = setTimeout(() => this.abandon(conn, `silent for ${ms} ms`), ms);
  }

  // ───────────────────────────── state & persistence ─────────────────────────────

  /** The conversation's state, created on first sight. `lastSeq` bounds the initial sync. */
  private conversation(conversationId: string, lastSeq = 0): ConversationState {
    let conv = this.conversations.get(conversationId);
    if (!conv) {
      const baseSeq = Math.max(0, lastSeq - this.maxInitialSync);
      conv = new ConversationState({ conversationId, baseSeq, knownLastSeq: 0, readSeq: 0, peersDeliveredSeq: 0, peersReadSeq: 0 });
      this.conversations.set(conversationId, conv);
      this.saveMeta(conv);
    }
    return conv;
  }

  private findStoredByClientMsgId(conversationId: string, clientMsgId: string): Message | undefined {
    return this.conversations.get(conversationId)?.messages().find((m) => m.clientMsgId === clientMsgId && m.senderId === this.userIdValue);
  }

  private viewOf(conv: ConversationState, m: Message): ChatMessage {
    const own = this.userIdValue !== null && m.senderId === this.userIdValue;
    return {
      clientMsgId: m.clientMsgId,
      conversationId: m.conversationId,
      id: m.id,
      seq: m.seq,
      senderId: m.senderId,
      own,
      kind: m.kind,
      body: m.body,
      createdAt: m.createdAt,
      state: own ? conv.stateOfSeq(m.seq) : null,
      error: null,
    };
  }

  private viewOfOutbox(item: OutboxItem): ChatMessage {
    return {
      clientMsgId: item.clientMsgId,
      conversationId: item.conversationId,
      id: null,
      seq: null,
      senderId: this.userIdValue,
      own: true,
      kind: item.kind,
      body: item.body,
      createdAt: item.createdAt,
      state: item.state,
      error: item.error,
    };
  }

  /** Something in this conversation's view changed: drop cached views and tell listeners. */
  private changed(conversationId: string): void {
    this.views.delete(conversationId);
    this.outboxView = null;
    this.emit("conversation", { conversationId });
  }

  private invalidateAll(also: string[] = []): void {
    const ids = new Set([...also, ...this.views.keys(), ...this.conversations.keys()]);
    this.views.clear();
    this.outboxView = null;
    for (const id of ids) this.emit("conversation", { conversationId: id });
  }

  private saveMeta(conv: ConversationState): void {
    const meta = { ...conv.meta };
    this.persist(() => this.store.saveConversation(meta));
  }

  /** Store writes run one after another, in the order the state changed. */
  private persist(write: () => Promise<void>): void {
    this.writes = this.writes.then(write).catch((error: unknown) => {
      this.emit("error", new AppError(ErrorCode.Internal, `client store write failed: ${String(error)}`));
    });
  }

  private async loadStore(): Promise<void> {
    try {
      const snapshot = await this.store.load();
      if (this.userIdValue === null) this.userIdValue = snapshot.userId;
      for (const meta of snapshot.conversations) {
        if (!this.conversations.has(meta.conversationId)) this.conversations.set(meta.conversationId, new ConversationState(meta));
      }
      for (const message of snapshot.messages) {
        const conv = this.conversations.get(message.conversationId);
        conv?.insert(message);
      }
      this.outboxItems.prepend(snapshot.outbox);
      this.invalidateAll();
    } catch (error) {
      this.emit("error", new AppError(ErrorCode.Internal, `client store load failed: ${String(error)}`));
    }
  }

  private resetMemory(): void {
    const ids = [...this.conversations.keys()];
    this.userIdValue = null;
    this.conversations.clear();
    this.outboxItems.clear();
    this.pendingReads.clear();
    this.acked.clear();
    this.acksDue.clear();
    this.transientErrors.clear();
    this.ackClock.stopAll();
    this.invalidateAll(ids);
  }

  protected override onListenerError(error: unknown, event: string): void {
    if (event === "error") return;
    this.emit("error", new AppError(ErrorCode.Internal, `a '${event}' listener threw: ${String(error)}`));
  }
}

function toAppError(frame: ErrorFrame): AppError {
  return new AppError(frame.code, frame.message, frame.ref ? { ref: frame.ref } : undefined);
}
