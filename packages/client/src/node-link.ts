/**
 * The client's link to a core node: gateway assignment → socket → `auth` → `welcome`, the
 * connect deadline and silence watchdog, the write-idle heartbeat and its pong deadline, the
 * host's word that the network is gone, and reconnecting with jittered backoff away from nodes
 * seen to die. It knows frames only as far as the handshake needs.
 */
import {
  AppError,
  CloseCode,
  ErrorCode,
  PROTOCOL_VERSION,
  type ClientFrame,
  type ErrorFrame,
  type ServerFrame,
  type WelcomeFrame,
  parseServerFrame,
  shouldReconnect,
} from "@dim/shared";
import { backoffDelay, type BackoffOptions } from "./backoff";
import { ClientErrorCode, type ClientAppError } from "./client-error-code";
import { LinkTimers } from "./link-timers";
import { frameText, WS_OPEN, type WebSocketConstructor, type WebSocketLike } from "./transport";
import type { ConnectionState, DimGateway } from "./types";

/** What the legs need from the link: write on the authenticated socket. */
export interface FrameWriter {
  /** Writes a frame on the welcomed socket; false when there is none (the caller queues). */
  write(frame: ClientFrame): boolean;
  /** True while a welcomed socket is up. */
  readonly welcomed: boolean;
  /** Changes whenever the socket does: an async step compares it to notice its socket is gone. */
  readonly epoch: number;
  /**
   * Counts the frames heard on welcomed sockets: unchanged since some moment means nothing proved
   * the link alive since then.
   */
  readonly framesHeard: number;
  /** A ping now, with the pong deadline (the link is dropped when it goes unanswered). */
  probe(): void;
}

/** A server frame after the handshake. */
export type SessionFrame = Exclude<ServerFrame, WelcomeFrame>;

export interface NodeLinkHandlers {
  /** A welcome arrived; runs before the link reports `connected` (who the user is may reset state). */
  authenticated(welcome: WelcomeFrame): void;
  /** Connected: `write` works from now on. */
  connected(welcome: WelcomeFrame): void;
  frame(frame: SessionFrame): void;
  /** The socket is gone (closed, abandoned, stopped); a welcome starts a new one. */
  disconnected(): void;
  state(state: ConnectionState): void;
  error(error: AppError): void;
}

export interface NodeLinkOptions {
  gateway: Pick<DimGateway, "assignNode">;
  WebSocket: WebSocketConstructor;
  backoff: BackoffOptions;
  random: () => number;
  /** Deadline for open + auth + welcome on one node before trying another. */
  connectTimeoutMs: number;
  /** After a heartbeat `ping`, how long to wait for any frame before the link counts as gone. */
  pongTimeoutMs: number;
  /** After a write, how long hearing nothing at all makes the link send a `ping` (a frozen node). */
  replyProbeMs: number;
  /** Resolves once persisted state is loaded: no socket opens before. */
  ready: () => Promise<void>;
  handlers: NodeLinkHandlers;
}

/**
 * Close codes after which the node itself is suspect: reconnect elsewhere (exclude it). 4504
 * NodeDraining is not one: the gateway already stops assigning a draining node, and the node
 * (or its successor under the same id) is healthy.
 */
const DEAD_NODE_CODES = new Set<number>([1001, 1006, 1011, 1012, 1013, 1014, CloseCode.NodeShuttingDown]);
/** Closes the client makes itself; local meaning only. */
const CLIENT_CLOSE = 1000;

interface Connection {
  ws: WebSocketLike;
  nodeId: string;
  welcome: WelcomeFrame | null;
  /** Connect deadline, then silence watchdog, heartbeat and pong deadline (link-timers.ts). */
  timers: LinkTimers;
}

export class NodeLink implements FrameWriter {
  private stateValue: ConnectionState = { status: "offline", reason: null };
  private running = false;
  private conn: Connection | null = null;
  private epochValue = 0;
  private heardValue = 0;
  private attempt = 0;
  private deadNodes: string[] = [];
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private openSeq = 0;
  private connectWaiters: Array<{ resolve: () => void; reject: (e: ClientAppError) => void }> = [];
  private readonly handlers: NodeLinkHandlers;

  constructor(private readonly options: NodeLinkOptions) {
    this.handlers = options.handlers;
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  get welcomed(): boolean {
    return this.conn?.welcome != null;
  }

  get epoch(): number {
    return this.epochValue;
  }

  get framesHeard(): number {
    return this.heardValue;
  }

  probe(): void {
    if (this.conn?.welcome) this.conn.timers.probe();
  }

  /** Starts connecting and stays up until `stop()`; resolves at the first welcome. */
  connect(): Promise<void> {
    if (this.stateValue.status === "connected") return Promise.resolve();
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

  /** Skips the rest of a reconnect backoff; nothing unless waiting to reconnect. */
  reconnectNow(): void {
    if (!this.running || this.stateValue.status !== "reconnecting") return;
    this.clearReconnectTimer();
    void this.open();
  }

  /**
   * The host knows the network is gone (the browser's `offline` event). On a dead link a socket
   * can look open for as long as the silence watchdog allows, so it is dropped now and the link
   * waits to reconnect (an attempt already under way started on the dead network: it is
   * abandoned). The node is not blamed. Unconfirmed sends stay queued: their clocks stop with
   * the socket, and the next welcome writes them again.
   */
  networkLost(): void {
    if (!this.running) return;
    const conn = this.conn;
    if (!conn && this.stateValue.status === "reconnecting") return;
    this.openSeq++;
    if (conn) {
      this.dropConnection();
      try {
        conn.ws.close(CLIENT_CLOSE, "network lost");
      } catch {
        // A socket that never opened may throw on close in some implementations; it is gone either way.
      }
    }
    this.scheduleReconnect();
  }

  /** Closes the socket and stops reconnecting; a pending `connect()` rejects with CLIENT_STOPPED. */
  stop(): void {
    this.running = false;
    this.openSeq++;
    this.clearReconnectTimer();
    if (this.conn) {
      const ws = this.conn.ws;
      this.dropConnection();
      ws.close(CLIENT_CLOSE, "client stop");
    }
    this.setState({ status: "stopped" });
    this.settleWaiters(new AppError<ClientErrorCode>(ClientErrorCode.ClientStopped, "client stopped before connecting"));
  }

  write(frame: ClientFrame): boolean {
    const conn = this.conn;
    if (!conn || !conn.welcome) return false;
    return this.rawWrite(conn, frame);
  }

  private async open(): Promise<void> {
    this.reconnectTimer = null;
    // Each attempt has an id: a stop(), or a newer attempt, makes an older one give up after its
    // awaits instead of opening a second socket.
    const id = ++this.openSeq;
    const stale = () => !this.running || id !== this.openSeq;
    if (stale()) return;
    await this.options.ready();
    if (stale()) return;
    this.setState({ status: "connecting", attempt: this.attempt });
    let assignment;
    try {
      assignment = await this.options.gateway.assignNode({ exclude: [...this.deadNodes] });
    } catch (error) {
      if (stale()) return;
      const appError = error instanceof AppError ? error : new AppError(ErrorCode.Internal, `gateway unreachable: ${String(error)}`);
      this.handlers.error(appError);
      // No valid session: reconnecting cannot help; the person must log in again.
      if (appError.code === ErrorCode.Unauthorized) return this.goOffline({ code: appError.code, message: appError.message });
      return this.scheduleReconnect();
    }
    if (stale()) return;

    let ws: WebSocketLike;
    try {
      // The token goes in the first frame, never in the URL (URLs end up in logs).
      ws = new this.options.WebSocket(assignment.wsUrl);
    } catch (error) {
      this.handlers.error(new AppError(ErrorCode.Internal, `cannot open ${assignment.wsUrl}: ${String(error)}`));
      this.markDead(assignment.nodeId);
      return this.scheduleReconnect();
    }
    const timers: LinkTimers = new LinkTimers(
      { connectTimeoutMs: this.options.connectTimeoutMs, pongTimeoutMs: this.options.pongTimeoutMs, replyProbeMs: this.options.replyProbeMs },
      { ping: () => this.conn === conn && this.rawWrite(conn, { type: "ping", t: Date.now() }), dead: (why) => this.abandon(conn, why) },
    );
    const conn: Connection = { ws, nodeId: assignment.nodeId, welcome: null, timers };
    this.conn = conn;
    this.epochValue++;
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

  private onFrame(conn: Connection, data: unknown): void {
    const text = frameText(data);
    const parsed = text === undefined ? null : parseServerFrame(text);
    if (!parsed || !parsed.ok) {
      this.handlers.error(parsed?.error ?? new AppError(ErrorCode.BadRequest, "binary frame from server ignored"));
      return;
    }
    const frame = parsed.frame;
    if (conn.welcome === null) {
      if (frame.type === "welcome") return this.onWelcome(conn, frame);
      if (frame.type === "error") return this.handlers.error(appErrorOf(frame));
      this.handlers.error(new AppError(ErrorCode.BadRequest, `'${frame.type}' frame before welcome ignored`));
      return;
    }
    conn.timers.heard();
    this.heardValue++;
    if (frame.type === "welcome") return this.handlers.error(new AppError(ErrorCode.BadRequest, "second welcome ignored"));
    this.handlers.frame(frame);
  }

  private onWelcome(conn: Connection, welcome: WelcomeFrame): void {
    this.handlers.authenticated(welcome);
    conn.welcome = welcome;
    this.attempt = 0;
    this.deadNodes = [];
    conn.timers.welcomed(welcome);
    this.setState({ status: "connected", nodeId: welcome.nodeId, connectionId: welcome.connectionId });
    this.settleWaiters();
    this.handlers.connected(welcome);
  }

  private onClose(conn: Connection, code: number, reason: string): void {
    this.dropConnection();
    if (!this.running) return;
    if (code === CloseCode.SessionEnded) {
      // Signed out (a logout, here or in another tab): a new token would be refused too. Offline
      // with UNAUTHORIZED, as when nodes.assign finds no session: the app goes to login.
      return this.goOffline({ code: ErrorCode.Unauthorized, message: reason || "signed out: the session ended" });
    }
    if (!shouldReconnect(code)) {
      this.handlers.error(new AppError(ErrorCode.Internal, `connection closed (${code}${reason ? `: ${reason}` : ""}); not reconnecting`, { closeCode: code }));
      return this.goOffline({ code, message: reason || `closed with ${code}` });
    }
    if (DEAD_NODE_CODES.has(code) || conn.welcome === null) {
      // 4401 means our token was refused: the node is fine, a new assignment brings a new token.
      // 4409: this account holds the most sockets allowed (all nodes): not the node's fault; the
      // backoff grows until another device or tab lets go of its place.
      if (code !== CloseCode.Unauthorized && code !== CloseCode.AuthTimeout && code !== CloseCode.TooManySockets) this.markDead(conn.nodeId);
    }
    this.scheduleReconnect();
  }

  /** The node went silent (or never welcomed us): treat it as dead and go elsewhere. */
  private abandon(conn: Connection, why: string): void {
    if (this.conn !== conn) return;
    this.handlers.error(new AppError(ErrorCode.Internal, `node ${conn.nodeId}: ${why}`, { nodeId: conn.nodeId }));
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
    this.epochValue++;
    conn.timers.stop();
    conn.ws.onopen = conn.ws.onmessage = conn.ws.onerror = conn.ws.onclose = null;
    this.handlers.disconnected();
  }

  private rawWrite(conn: Connection, frame: ClientFrame): boolean {
    if (conn.ws.readyState !== WS_OPEN) return false;
    try {
      conn.ws.send(JSON.stringify(frame));
    } catch (error) {
      this.handlers.error(new AppError(ErrorCode.Internal, `write failed: ${String(error)}`));
      return false;
    }
    if (conn.welcome) conn.timers.wrote();
    return true;
  }

  private markDead(nodeId: string): void {
    if (!this.deadNodes.includes(nodeId)) this.deadNodes.push(nodeId);
    if (this.deadNodes.length > 16) this.deadNodes.shift();
  }

  private scheduleReconnect(): void {
    if (!this.running) return;
    this.clearReconnectTimer();
    const inMs = backoffDelay(this.attempt, this.options.backoff, this.options.random);
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
    this.stateValue = state;
    this.handlers.state(state);
  }

  private settleWaiters(error?: ClientAppError): void {
    const waiters = this.connectWaiters;
    this.connectWaiters = [];
    for (const w of waiters) (error ? w.reject(error) : w.resolve());
  }
}

/** A server `error` frame as the AppError the client reports. */
export function appErrorOf(frame: ErrorFrame): AppError {
  return new AppError(frame.code, frame.message, frame.ref ? { ref: frame.ref } : undefined);
}
