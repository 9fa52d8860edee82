/**
 * One object per WebSocket: it owns the socket's deadlines (auth deadline, idle timeout, checked
 * by the node's sweep through checkDeadlines), delivery re-push timers and limits (rate, send
 * buffer, bad frames), runs the authentication handshake, and hands authenticated frames to the
 * node one at a time, in arrival order, so one sender's messages are stored in the order it sent
 * them. Nothing thrown inside escapes a socket handler.
 *
 * An idle authenticated socket is the node's most numerous object, so it holds as little as
 * possible: no timer (the sweep reads two timestamps), no logger of its own (log lines carry
 * connId/userId fields), no listener closures (static handlers find it through the socket), and
 * its maps, queues and promises exist only while they hold something.
 *
 * The rate limit shapes rather than drops: a frame over the rate waits (the socket stops being
 * read, so TCP pushes back on the client) and is handled in its turn when the bucket refills.
 * Dropping it would let the sender's next `send` overtake it. Only a client that keeps more than
 * a burst's worth of frames waiting is closed.
 */
import { randomUUID } from "node:crypto";
import type { RawData, WebSocket } from "ws";
import {
  AppError,
  CloseCode,
  ErrorCode,
  isAppError,
  parseClientFrame,
  PROTOCOL_VERSION,
  type AckFrame,
  type AuthFrame,
  type ClientFrame,
  type ConversationCursor,
  type Message,
  type ReadFrame,
  type SendFrame,
  type ServerFrame,
  type SyncFrame,
  type HideFrame,
  type PresenceQueryFrame,
  type TypingFrame,
} from "@dim/shared";
import { verifySocketToken, type Logger } from "@dim/shared/node";
import { monotonicMs, TokenBucket } from "@dim/shared/node";
import { DeliveryRepush } from "./delivery-repush";
import { startClose } from "./socket-close";
import type { UsedTokens } from "./used-tokens";
import { INVALID_FRAME, type NodeMetrics } from "./node-metrics";

/** Frames that need an authenticated user. */
export type UserFrame = SendFrame | AckFrame | ReadFrame | SyncFrame | HideFrame | TypingFrame | PresenceQueryFrame;

/** What a connection needs from its node. */
export interface ConnectionHost {
  readonly nodeId: string;
  /**
   * Binds a verified socket to its user (local map, presence lease) and returns the cursors for
   * `welcome`. Pushes that arrive before `welcome` is sent are held by the connection.
   */
  authenticate(conn: ClientConnection, userId: string, sessionId: string): Promise<ConversationCursor[]>;
  /** Handles one frame of an authenticated socket. May throw; the connection answers INTERNAL. */
  dispatch(conn: ClientConnection, frame: UserFrame): Promise<void>;
  /** The socket is gone: forget it and release its presence lease. Must not throw. */
  release(conn: ClientConnection): Promise<void>;
}

export interface ConnectionOptions {
  tokenSecret: string;
  authTimeoutMs: number;
  idleTimeoutMs: number;
  heartbeatMs: number;
  ackTimeoutMs: number;
  repush: boolean;
  maxBufferedBytes: number;
  rateLimitPerSec: number;
  rateLimitBurst: number;
  /** The node's single-use set of socket tokens (used-tokens.ts). */
  usedTokens: UsedTokens;
  /** The node's counters (frames, errors, connects, re-pushes). */
  metrics: NodeMetrics;
}

/** closeWhenIdle(): the longest a drained socket waits for the frames in hand to be answered. */
const IDLE_CLOSE_WAIT_MS = 5000;

/** Invalid frames tolerated on an authenticated socket before it is closed with ProtocolViolation. */
export const MAX_BAD_FRAMES = 10;
/** Frames other than a valid `auth` tolerated before authentication (each answered with an error). */
export const MAX_UNAUTHENTICATED_FRAMES = 3;
/** Pushes held while the socket is between token check and `welcome`; beyond, sync repairs. */
const MAX_HELD_PUSHES = 1000;

type State = "unauthenticated" | "authenticating" | "open" | "closing" | "closed";

/** The connection a socket belongs to (the static socket handlers look it up here). */
const CONNECTION = Symbol("dim.connection");
type TaggedSocket = WebSocket & { [CONNECTION]?: ClientConnection };

const RESOLVED: Promise<void> = Promise.resolve();

export class ClientConnection {
  readonly id = randomUUID();
  private state: State = "unauthenticated";
  private _userId: string | undefined;
  private _sessionId: string | undefined;

  /** monotonicMs() at open (auth deadline) and at the last inbound frame (idle timeout). */
  private readonly openedAt: number;
  private lastActivity: number;
  private closeTimer: NodeJS.Timeout | undefined;
  /** Deliveries awaiting an `ack` (created with the first tracked delivery, dropped when empty). */
  private repush: DeliveryRepush | undefined;
  /** Pushes held between token check and `welcome`. */
  private held: ServerFrame[] | undefined;
  /** conversationId:kind → highest cursor this socket's frames announced (suppresses repeats). */
  private announced: Map<string, number> | undefined;

  private readonly bucket: TokenBucket;
  /** Frames over the rate, in arrival order, waiting for tokens; the socket is paused meanwhile. */
  private throttled: ClientFrame[] | undefined;
  private throttleTimer: NodeJS.Timeout | undefined;
  private badFrames = 0;
  private unauthenticatedFrames = 0;

  /** Accepted frames not yet handled, in arrival order, and the loop handling them one by one. */
  private inbox: Array<Exclude<ClientFrame, { type: "ping" }>> | undefined;
  private pumping: Promise<void> | undefined;
  private finished = false;
  private _done: Promise<void> | undefined;
  private resolveDone: (() => void) | undefined;
  private closeInfo: { code: number; reason: string } | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly host: ConnectionHost,
    private readonly opts: ConnectionOptions,
    private readonly logger: Logger,
  ) {
    this.openedAt = this.lastActivity = monotonicMs();
    this.bucket = new TokenBucket(opts.rateLimitPerSec, opts.rateLimitBurst);
    (ws as TaggedSocket)[CONNECTION] = this;
    ws.on("message", ClientConnection.onSocketMessage);
    ws.on("error", ClientConnection.onSocketError);
    ws.on("close", ClientConnection.onSocketClose);
  }

  private static onSocketMessage(this: TaggedSocket, data: RawData, isBinary: boolean): void {
    this[CONNECTION]?.onMessage(data, isBinary);
  }

  private static onSocketError(this: TaggedSocket, err: Error): void {
    this[CONNECTION]?.debug({ err }, "socket error");
  }

  private static onSocketClose(this: TaggedSocket, code: number, reason: Buffer): void {
    void this[CONNECTION]?.onClose(code, reason.toString("utf8"));
  }

  /** Resolves once the socket closed, its queued frames finished and the node released it. */
  get done(): Promise<void> {
    if (this.finished) return RESOLVED;
    return (this._done ??= new Promise<void>((r) => (this.resolveDone = r)));
  }

  /**
   * Closes the socket if its deadline passed at `now` (monotonicMs()): AuthTimeout when it has
   * not authenticated within authTimeoutMs of opening, IdleTimeout when no frame came for
   * idleTimeoutMs. Called by the node's sweep, so a deadline is met within one sweep interval.
   */
  checkDeadlines(now: number): void {
    if (this.state === "unauthenticated" || this.state === "authenticating") {
      if (now - this.openedAt >= this.opts.authTimeoutMs) {
        this.close(CloseCode.AuthTimeout, "authentication deadline passed");
        return;
      }
    }
    if (this.isOpen && now - this.lastActivity >= this.opts.idleTimeoutMs) this.close(CloseCode.IdleTimeout, "idle timeout");
  }

  get userId(): string | undefined {
    return this._userId;
  }

  /** The gateway session its token was issued to (set with userId). */
  get sessionId(): string | undefined {
    return this._sessionId;
  }

  get isOpen(): boolean {
    return this.state !== "closing" && this.state !== "closed";
  }

  /** Sends a frame now, or holds it until `welcome` while authenticating. False when dropped. */
  send(frame: ServerFrame): boolean {
    if (this.state === "authenticating" && frame.type !== "welcome" && frame.type !== "error") {
      const held = (this.held ??= []);
      if (held.length >= MAX_HELD_PUSHES) return false;
      held.push(frame);
      return true;
    }
    return this.write(frame);
  }

  sendError(error: AppError, ref?: string): void {
    this.opts.metrics.errors[error.code]?.inc();
    this.write({ type: "error", code: error.code, message: error.message, ...(ref !== undefined ? { ref } : {}) });
  }

  /**
   * Pushes a stored message and, unless it is already waiting, arms its one re-push: when no
   * `ack` covering it arrives within ackTimeoutMs it is pushed once more, then left to sync.
   */
  pushMessage(message: Message, encoded: EncodedPush = new EncodedPush(message)): void {
    if (this.state === "authenticating") {
      this.send({ type: "message", message }); // held; armed when flushed after welcome
      return;
    }
    if (!this.writeData("message", encoded.data)) return;
    if (!this.opts.repush) return;
    this.repush ??= new DeliveryRepush((m) => {
      this.debug({ conversationId: m.conversationId, seq: m.seq }, "no ack: re-pushing once");
      this.opts.metrics.repushes.inc();
      this.write({ type: "message", message: m });
      if (this.repush?.empty) this.repush = undefined;
    }, this.opts.ackTimeoutMs);
    this.repush.track(message);
  }

  /** The client holds everything up to `seq` in this conversation: no re-push for those. */
  acknowledged(conversationId: string, seq: number): void {
    this.repush?.acknowledged(conversationId, seq);
    if (this.repush?.empty) this.repush = undefined;
  }

  /** True when `value` moves this socket's announced cursor forward (then it is recorded). */
  advanceAnnounced(conversationId: string, kind: "delivered" | "read", value: number): boolean {
    const key = `${conversationId}:${kind}`;
    const announced = (this.announced ??= new Map());
    if ((announced.get(key) ?? 0) >= value) return false;
    announced.set(key, value);
    return true;
  }

  /** Starts the close handshake; idempotent. The socket is destroyed if the peer does not answer (socket-close.ts). */
  close(code: number, reason: string): void {
    if (this.state === "closing" || this.state === "closed") return;
    this.state = "closing";
    this.closeInfo = { code, reason };
    this.clearTimers();
    this.debug({ code, reason }, "closing socket");
    this.closeTimer = startClose(this.ws, code, reason, (err) => this.debug({ err }, "close failed; terminating"));
  }

  /**
   * A drain's close: stops reading, lets the frames already read finish (a `send` being stored
   * gets its `sent` before the close frame), then closes. A frame the client wrote after that
   * is never acknowledged here; the client re-sends it on its next node by clientMsgId.
   */
  async closeWhenIdle(code: number, reason: string): Promise<void> {
    if (this.state === "closing" || this.state === "closed") return;
    this.ws.pause();
    // Frames over the rate wait for tokens the drain will not give: the client re-sends them.
    clearTimeout(this.throttleTimer);
    this.throttled = undefined;
    // Bounded: a store that hangs must not hold the drain (the client re-sends what got no `sent`).
    const deadline = monotonicMs() + IDLE_CLOSE_WAIT_MS;
    while (this.pumping && monotonicMs() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.pumping.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, Math.max(1, deadline - monotonicMs()))))]);
      clearTimeout(timer);
    }
    this.close(code, reason);
  }

  // ─────────────────────────── inbound ───────────────────────────

  private onMessage(data: RawData, isBinary: boolean): void {
    try {
      if (!this.isOpen) return;
      this.lastActivity = monotonicMs();
      if (isBinary) {
        this.opts.metrics.framesIn[INVALID_FRAME].inc();
        this.rejectFrame(new AppError(ErrorCode.BadRequest, "binary frames are not accepted; send JSON text"));
        return;
      }
      const parsed = parseClientFrame(rawToString(data));
      if (!parsed.ok) {
        this.opts.metrics.framesIn[INVALID_FRAME].inc();
        this.rejectFrame(parsed.error, parsed.ref);
        return;
      }
      const frame = parsed.frame;
      this.opts.metrics.framesIn[frame.type].inc();
      // Once one frame waits, every later one waits behind it: order is kept.
      if (this.throttled !== undefined || !this.bucket.take()) {
        this.throttle(frame);
        return;
      }
      this.accept(frame);
    } catch (err) {
      this.logger.error(this.fields({ err }), "unexpected error handling an inbound frame");
      this.sendError(new AppError(ErrorCode.Internal, "internal error"));
    }
  }

  /** A frame within the rate: `ping` is answered now, anything else queued in arrival order. */
  private accept(frame: ClientFrame): void {
    if (frame.type === "ping") {
      // Answered at once, not behind a slow send: it measures the link, not the database.
      this.write({ type: "pong", ...(frame.t !== undefined ? { t: frame.t } : {}) });
      return;
    }
    (this.inbox ??= []).push(frame);
    this.pumping ??= this.pump();
  }

  /** Handles the inbox one frame at a time; ends (and lets go of everything) once it is empty. */
  private async pump(): Promise<void> {
    await RESOLVED; // as a promise chain would: the frame is handled after the socket handler returns
    try {
      for (let frame = this.inbox?.shift(); frame !== undefined; frame = this.inbox?.shift()) await this.process(frame);
    } finally {
      this.inbox = undefined;
      this.pumping = undefined;
    }
  }

  /** Over the rate: wait for a token with the socket paused; too many waiting closes it. */
  private throttle(frame: ClientFrame): void {
    const throttled = (this.throttled ??= []);
    if (throttled.length >= this.opts.rateLimitBurst) {
      this.logger.warn(this.fields({ waiting: throttled.length, ratePerSec: this.opts.rateLimitPerSec }), "rate limit exceeded for too long");
      this.close(CloseCode.RateLimited, "rate limit exceeded for too long");
      return;
    }
    throttled.push(frame);
    if (throttled.length === 1) {
      this.ws.pause();
      this.scheduleDrain();
    }
  }

  private scheduleDrain(): void {
    this.throttleTimer = setTimeout(() => {
      this.throttleTimer = undefined;
      const throttled = this.throttled;
      if (!this.isOpen || !throttled) return;
      while (throttled.length > 0 && this.bucket.take()) this.accept(throttled.shift()!);
      if (throttled.length > 0) {
        this.scheduleDrain();
      } else {
        this.throttled = undefined;
        this.ws.resume();
      }
    }, Math.max(1, this.bucket.msUntilToken()));
  }

  private async process(frame: Exclude<ClientFrame, { type: "ping" }>): Promise<void> {
    if (!this.isOpen) return;
    const ref = frame.type === "send" ? frame.clientMsgId : frame.type;
    try {
      if (frame.type === "auth") {
        await this.authenticate(frame);
        return;
      }
      if (this.state !== "open") {
        this.unauthenticatedFrames++;
        this.sendError(new AppError(ErrorCode.AuthRequired, "send `auth` first"), ref);
        if (this.unauthenticatedFrames >= MAX_UNAUTHENTICATED_FRAMES) {
          this.close(CloseCode.ProtocolViolation, "too many frames before auth");
        }
        return;
      }
      await this.host.dispatch(this, frame);
    } catch (err) {
      if (isAppError(err)) {
        this.sendError(err, ref);
      } else {
        this.logger.error(this.fields({ err, type: frame.type }), "frame handler failed");
        this.sendError(new AppError(ErrorCode.Internal, "internal error; retry"), ref);
      }
    }
  }

  private async authenticate(frame: AuthFrame): Promise<void> {
    if (this.state !== "unauthenticated") {
      this.rejectFrame(new AppError(ErrorCode.AlreadyAuthenticated, "this socket is already authenticated"), "auth");
      return;
    }
    if (frame.v !== PROTOCOL_VERSION) {
      this.sendError(
        new AppError(ErrorCode.UnsupportedVersion, `protocol version ${frame.v} is not supported; this node speaks ${PROTOCOL_VERSION}`, {
          supported: [PROTOCOL_VERSION],
        }),
        "auth",
      );
      this.close(CloseCode.UnsupportedVersion, `unsupported protocol version ${frame.v}`);
      return;
    }
    let userId: string;
    let sessionId: string;
    try {
      const claims = verifySocketToken(frame.token, { nodeId: this.host.nodeId }, this.opts.tokenSecret);
      const claimed = this.opts.usedTokens.claim(claims.jti, claims.exp);
      if (claimed === "reused") throw new AppError(ErrorCode.Unauthorized, "token already used; get a new one from nodes.assign");
      if (claimed === "full") throw new AppError(ErrorCode.Unauthorized, "this node accepts no more new tokens right now; get a new one");
      userId = claims.sub;
      sessionId = claims.sid;
    } catch (err) {
      const error = isAppError(err) ? err : new AppError(ErrorCode.Unauthorized, "invalid token");
      this.logger.info(this.fields({ reason: error.message }), "socket token rejected");
      this.sendError(error, "auth");
      this.close(CloseCode.Unauthorized, error.message);
      return;
    }
    this._userId = userId;
    this._sessionId = sessionId;
    this.state = "authenticating";
    let cursors: ConversationCursor[];
    try {
      cursors = await this.host.authenticate(this, userId, sessionId);
    } catch (err) {
      if (isAppError(err) && err.code === ErrorCode.Unauthorized) {
        // The token's session ended (logout) after it was issued: signed out, not a retry.
        this.logger.info(this.fields({ reason: err.message }), "socket token of an ended session");
        this.sendError(err, "auth");
        this.close(CloseCode.SessionEnded, err.message);
        return;
      }
      if (isAppError(err) && err.code === ErrorCode.LimitExceeded) {
        // The per-user socket cap: the newest socket is refused; the ones already open stay.
        this.logger.info(this.fields({ reason: err.message }), "socket refused: the user holds the most sockets allowed");
        this.sendError(err, "auth");
        this.close(CloseCode.TooManySockets, "too many connections for this account");
        return;
      }
      if (!this.isOpen) return; // closed while authenticating: nothing to answer
      this.logger.error(this.fields({ err }), "could not bind the socket to its user");
      this.sendError(new AppError(ErrorCode.Internal, "could not start the session; reconnect"), "auth");
      this.close(CloseCode.NodeShuttingDown, "could not start the session");
      return;
    }
    if (this.state !== "authenticating") return; // closed meanwhile
    this.write({
      type: "welcome",
      v: PROTOCOL_VERSION,
      nodeId: this.host.nodeId,
      connectionId: this.id,
      userId,
      heartbeatMs: this.opts.heartbeatMs,
      idleTimeoutMs: this.opts.idleTimeoutMs,
      ackTimeoutMs: this.opts.ackTimeoutMs,
      conversations: cursors,
    });
    this.state = "open";
    this.opts.metrics.authenticatedConnects.inc();
    this.debug({}, "authenticated");
    const held = this.held ?? [];
    this.held = undefined;
    for (const frame of held) {
      if (frame.type === "message") this.pushMessage(frame.message);
      else this.write(frame);
    }
  }

  private rejectFrame(error: AppError, ref?: string): void {
    this.sendError(error, ref);
    if (this.state === "unauthenticated") {
      if (++this.unauthenticatedFrames >= MAX_UNAUTHENTICATED_FRAMES) {
        this.close(CloseCode.ProtocolViolation, "too many invalid frames before auth");
      }
    } else if (++this.badFrames >= MAX_BAD_FRAMES) {
      this.close(CloseCode.ProtocolViolation, "too many invalid frames");
    }
  }

  // ─────────────────────────── outbound & teardown ───────────────────────────

  private write(frame: ServerFrame): boolean {
    return this.writeData(frame.type, JSON.stringify(frame));
  }

  /** One text frame (a string, or the UTF-8 of one shared by many sockets: EncodedPush). */
  private writeData(type: ServerFrame["type"], data: string | Buffer): boolean {
    if (this.state === "closing" || this.state === "closed" || this.ws.readyState !== this.ws.OPEN) return false;
    if (this.ws.bufferedAmount > this.opts.maxBufferedBytes) {
      this.logger.warn(this.fields({ bufferedAmount: this.ws.bufferedAmount }), "slow consumer");
      this.close(CloseCode.SlowConsumer, "send buffer limit exceeded");
      return false;
    }
    try {
      this.ws.send(data, { binary: false });
      this.opts.metrics.framesOut[type].inc();
      return true;
    } catch (err) {
      this.debug({ err }, "send failed");
      return false;
    }
  }

  private clearTimers(): void {
    clearTimeout(this.throttleTimer);
    this.throttled = undefined;
    this.repush?.clear();
    this.repush = undefined;
    this.held = undefined;
  }

  /** The fields every log line of this socket carries. */
  private fields(extra: Record<string, unknown>): Record<string, unknown> {
    return this._userId === undefined ? { connId: this.id, ...extra } : { connId: this.id, userId: this._userId, ...extra };
  }

  private debug(extra: Record<string, unknown>, msg: string): void {
    if (this.logger.isLevelEnabled("debug")) this.logger.debug(this.fields(extra), msg);
  }

  private async onClose(code: number, reason: string): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closed";
    this.clearTimers();
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.debug({ code, reason, sent: this.closeInfo }, "socket closed");
    try {
      await this.pumping;
      await this.host.release(this);
    } catch (err) {
      this.logger.error(this.fields({ err }), "release after close failed");
    } finally {
      this.finished = true;
      this.resolveDone?.();
    }
  }
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}


/**
 * A `message` push encoded once (JSON, then UTF-8) for all the sockets it goes to: a group's
 * fan-out writes the same bytes to hundreds of sockets. Lazy: a push that finds no socket encodes nothing.
 */
export class EncodedPush {
  private bytes: Buffer | undefined;

  constructor(readonly message: Message) {}

  get data(): Buffer {
    return (this.bytes ??= Buffer.from(JSON.stringify({ type: "message", message: this.message } satisfies ServerFrame)));
  }
}
