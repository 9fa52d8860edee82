/**
 * DimClient, the public face of the client core: its objects are built and wired in
 * client-legs.ts; here each public call goes to the leg that does it, each server frame to the
 * leg it answers, and what the legs report comes out as one typed event stream.
 */
import { AppError, ErrorCode, type ContactPresence, type ContactsFrame, type ErrorFrame, type WelcomeFrame } from "@dim/shared";
import type { AttachmentLeg } from "./attachment-leg";
import type { SendAttachmentOptions } from "./attachment-send";
import { buildClientLegs } from "./client-legs";
import type { ConversationViews } from "./conversation-views";
import type { DimClientOptions } from "./dim-client-options";
import { Emitter } from "./emitter";
import type { GroupLeg } from "./group-leg";
import { MessageActions } from "./message-actions";
import { appErrorOf, type NodeLink, type SessionFrame } from "./node-link";
import type { ClientPersistence } from "./persistence";
import type { RecipientLeg } from "./recipient-leg";
import type { PresenceBook } from "./presence-book";
import type { MentionOptions, SenderLeg } from "./sender-leg";
import type { TypingLeg } from "./typing-leg";
import type { WebSocketConstructor } from "./transport";
import type { ChatMessage, ConnectionState, ConversationMeta, DimClientEvents, OutboxItem } from "./types";

export type { DimClientOptions } from "./dim-client-options";

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
  private readonly attachments: AttachmentLeg;
  private readonly actions: MessageActions;
  /** Ephemeral signals (protocol §18): typing both ways, contacts' presence. */
  private readonly typingLeg: TypingLeg;
  private readonly presenceBook: PresenceBook;
  private readonly refreshCursorsOnConnect: boolean;
  private readonly loaded: Promise<void>;

  constructor(options: DimClientOptions) {
    super();
    const WebSocket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WebSocket) throw new AppError(ErrorCode.InvalidConfig, "no WebSocket implementation: pass options.WebSocket (e.g. the `ws` package in Node)");
    this.refreshCursorsOnConnect = options.refreshCursorsOnConnect ?? true;
    const legs = buildClientLegs(options, WebSocket, {
      ready: () => this.loaded,
      authenticated: (welcome) => this.adoptUser(welcome.userId),
      connected: (welcome) => this.resume(welcome),
      frame: (frame) => this.dispatch(frame),
      emit: (event, payload) => this.emit(event, payload),
    });
    this.persistence = legs.persistence;
    this.link = legs.link;
    this.views = legs.views;
    this.sender = legs.sender;
    this.recipient = legs.recipient;
    this.groups = legs.groups;
    this.attachments = legs.attachments;
    this.actions = new MessageActions({
      sender: this.sender,
      views: this.views,
      link: this.link,
      persistence: this.persistence,
      emitHidden: (frame) => this.emit("hidden", frame),
    });
    this.typingLeg = legs.typing;
    this.presenceBook = legs.presence;
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

  /** `unreadMentions`: unread messages (held) that mention me (the list's "@" marker). */
  conversationMeta(conversationId: string): (ConversationMeta & { heldSeq: number; unreadCount: number; unreadMentions: number }) | undefined {
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
    await this.attachments.forget();
    this.persistence.clear();
    await this.persistence.flush();
  }

  // ───────────────────────────── messaging ─────────────────────────────

  /**
   * Queues a text message. It is written now when connected, else when the connection is back.
   * Throws AppError(BAD_REQUEST) for input the server would refuse; nothing is queued then.
   */
  send(conversationId: string, body: string, options: { clientMsgId?: string } & MentionOptions = {}): ChatMessage {
    const sent = this.sender.send(conversationId, body, options.clientMsgId, options);
    this.typingLeg.stop(conversationId);
    return sent;
  }

  /**
   * The person typed in this conversation (call it on every keystroke): the other members are
   * told, at most every EphemeralLimits.typingSendIntervalMs. `send` and `stopTyping` end it.
   */
  typing(conversationId: string): void {
    this.typingLeg.typing(conversationId);
  }

  /** The person left the composer (blur): stop telling the others. */
  stopTyping(conversationId: string): void {
    this.typingLeg.stop(conversationId);
  }

  /** Other members typing in this conversation now, in the order they started (see the `typing` event). */
  typingUsers(conversationId: string): string[] {
    return this.typingLeg.typingUsers(conversationId);
  }

  /** A contact's online / last seen as the server last said (see the `presence` event). */
  presenceOf(userId: string): ContactPresence | undefined {
    return this.presenceBook.presenceOf(userId);
  }

  /** Every contact's presence known now. */
  presence(): ContactPresence[] {
    return this.presenceBook.all();
  }

  /**
   * Queues an image or file (a Blob or File) with an optional caption: uploaded while connected
   * (`upload` on its ChatMessage shows progress), then sent like a text, idempotently. Offline it
   * waits in the outbox (the Blob is persisted with it) and uploads when the connection is back.
   * Throws AppError for what the server would refuse outright (empty, over maxUploadBytes, …).
   */
  sendAttachment(conversationId: string, file: Blob, options?: SendAttachmentOptions): ChatMessage {
    return this.attachments.send(conversationId, file, options);
  }

  /** Re-sends a failed message with its original clientMsgId (so it is stored at most once). */
  retry(clientMsgId: string): ChatMessage {
    return this.sender.retry(clientMsgId);
  }

  /** Takes back an unsent message: a failed one, or an attachment not uploaded yet (cancels the upload). */
  discard(clientMsgId: string): void {
    this.sender.discard(clientMsgId);
  }

  /** An image attachment's thumbnail: cached on the device once seen (readable offline), else fetched. */
  thumbnail(attachmentId: string): Promise<Blob> {
    return this.attachments.thumbnail(attachmentId);
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

  /**
   * Loads a page around `seq` (a search result, a date, the first unread) in one gateway call,
   * however far back: the client then holds a block there and may have a gap up to what it held
   * (`gaps`, `loadGap`). Rejects with AppError BAD_REQUEST for a bad seq.
   */
  loadAround(conversationId: string, seq: number, limit?: number) {
    return this.recipient.loadAround(conversationId, seq, limit);
  }

  /** Seq ranges not held between blocks a jump paged in: `{ afterSeq, beforeSeq }`, the seqs strictly between missing. */
  gaps(conversationId: string): Array<{ afterSeq: number; beforeSeq: number }> {
    return this.views.get(conversationId)?.gaps() ?? [];
  }

  /** Fills (part of) a gap: the page after `afterSeq`, through the gateway. */
  loadGap(conversationId: string, afterSeq: number, limit?: number): Promise<{ added: number; hasMore: boolean }> {
    return this.recipient.loadGap(conversationId, afterSeq, limit);
  }

  /** Whether the message (or event row) at `seq` is held. */
  holds(conversationId: string, seq: number): boolean {
    return this.views.get(conversationId)?.has(seq) ?? false;
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

  // ──────────────── events on messages (message-actions.ts): sends like `send` ────────────────

  /** Sends a text quoting the message at `replyTo`. */
  reply(conversationId: string, replyTo: number, body: string, mentions: MentionOptions = {}): ChatMessage {
    return this.actions.reply(conversationId, replyTo, body, mentions);
  }

  /**
   * Replaces the text of my own text message at `seq` (server: within the edit window). The
   * edit's mentions replace the message's.
   */
  edit(conversationId: string, seq: number, body: string, mentions: MentionOptions = {}): ChatMessage {
    return this.actions.edit(conversationId, seq, body, mentions);
  }

  /** Deletes my own message at `seq` for every member (server: within the delete window). */
  deleteForEveryone(conversationId: string, seq: number): ChatMessage {
    return this.actions.deleteForEveryone(conversationId, seq);
  }

  /** Toggles my reaction on the message at `seq` (the same emoji again removes it). */
  react(conversationId: string, seq: number, emoji: string): ChatMessage {
    return this.actions.react(conversationId, seq, emoji);
  }

  /** Hides these messages on all my devices, not for anyone else. */
  deleteForMe(conversationId: string, seqs: number[]): void {
    this.actions.deleteForMe(conversationId, seqs);
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
    this.attachments.uploads.resume();
    this.actions.flush();
    this.recipient.flushPendingReads(welcome.conversations);
    this.presenceBook.query();
    if (this.refreshCursorsOnConnect) void this.groups.refreshSummaries();
  }

  /** Each frame after welcome goes to the leg it answers. */
  private dispatch(frame: SessionFrame): void {
    switch (frame.type) {
      case "sent":
        return this.sender.onSent(frame);
      case "message":
        this.typingLeg.onMessage(frame.message);
        return this.recipient.onMessage(frame);
      case "sync.batch":
        if (frame.hidden) this.actions.apply({ type: "hidden", conversationId: frame.conversationId, seqs: frame.hidden });
        return this.recipient.onSyncBatch(frame);
      case "hidden":
        return this.actions.apply(frame);
      case "receipt":
        return this.groups.onReceipt(frame) ? this.emit("receipt", frame) : this.recipient.onReceipt(frame);
      case "receipts":
        return this.groups.onReceipts(frame);
      case "conversation":
        return void this.groups.onConversation(frame);
      case "error":
        return this.onErrorFrame(frame);
      case "typing":
        return this.typingLeg.onTyping(frame);
      case "presence":
        return this.presenceBook.onFrame(frame);
      case "notify.settings":
        return this.emit("notifySettings", frame);
      case "mute":
        return this.emit("mute", frame);
      case "contacts":
        return this.onContacts(frame);
      case "pong":
        return;
    }
  }

  /**
   * Contact news: told to listeners. A contact lost (removed, blocked) takes its presence with it;
   * one gained (accepted, unblocked) shows once the presence list is read again.
   */
  private onContacts(frame: ContactsFrame): void {
    if (frame.event === "removed" || frame.event === "blocked") this.presenceBook.forget(frame.user.id);
    if (frame.event === "accepted" || frame.event === "unblocked") this.presenceBook.requery();
    this.emit("contacts", frame);
  }

  private onErrorFrame(frame: ErrorFrame): void {
    if (frame.ref === "presence.query" && frame.code === ErrorCode.RateLimited) this.presenceBook.onRateLimited();
    if (!this.sender.onError(frame) && frame.ref === "sync") this.recipient.onSyncError();
    this.emit("error", appErrorOf(frame));
  }

  private forgetAll(): void {
    const ids = this.views.ids();
    this.views.clear();
    this.sender.reset();
    this.recipient.reset();
    this.groups.reset();
    this.attachments.uploads.reset();
    this.actions.reset();
    this.typingLeg.reset();
    this.presenceBook.reset();
    this.views.invalidateAll(ids);
  }

  protected override onListenerError(error: unknown, event: string): void {
    if (event === "error") return;
    this.emit("error", new AppError(ErrorCode.Internal, `a '${event}' listener threw: ${String(error)}`));
  }
}
