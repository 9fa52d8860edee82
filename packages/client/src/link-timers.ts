/**
 * One socket's liveness clocks, for the node link: the connect deadline (open + auth + welcome),
 * then the silence watchdog (nothing heard for welcome.idleTimeoutMs), the write-idle heartbeat
 * (a `ping` after welcome.heartbeatMs without writing) and its pong deadline. The node answers
 * every ping at once, so no frame within pongTimeoutMs of one is a missed heartbeat: the link is
 * gone now, not only after the node's whole idle timeout. A client that keeps writing never gets
 * write-idle, so a node that froze (SIGSTOP, a stalled VM) would hold it until the silence
 * watchdog: hence the reply probe — a write followed by replyProbeMs of hearing nothing sends a
 * `ping` too, under the same pong deadline; so does `probe()`, when a `send` went unanswered.
 * Each clock ends in `dead(why)`; `stop()` is final.
 */
type Timer = ReturnType<typeof setTimeout>;

export interface LinkTimerHooks {
  /** Writes a heartbeat `ping`; false when it could not be written. */
  ping(): boolean;
  /** The link is gone (why, for the error it reports). */
  dead(why: string): void;
}

export class LinkTimers {
  private watchdog: Timer | null;
  private heartbeat: Timer | null = null;
  /** Armed when a heartbeat ping is written; any frame from the node disarms it. */
  private pongDeadline: Timer | null = null;
  /** Armed by a write while nothing was heard since; any frame from the node disarms it. */
  private replyProbe: Timer | null = null;
  private pinging = false;
  private session: { heartbeatMs: number; idleTimeoutMs: number } | null = null;
  private stopped = false;

  constructor(
    private readonly options: { connectTimeoutMs: number; pongTimeoutMs: number; replyProbeMs: number },
    private readonly hooks: LinkTimerHooks,
  ) {
    this.watchdog = setTimeout(() => hooks.dead("no welcome before the connect deadline"), options.connectTimeoutMs);
  }

  /** Welcomed: the silence watchdog and the heartbeat take over from the connect deadline. */
  welcomed(welcome: { heartbeatMs: number; idleTimeoutMs: number }): void {
    this.session = { heartbeatMs: welcome.heartbeatMs, idleTimeoutMs: welcome.idleTimeoutMs };
    this.heard();
    this.wrote();
  }

  /** A frame arrived on the welcomed socket: the node is alive. */
  heard(): void {
    if (this.stopped || !this.session) return;
    clear(this.watchdog);
    clear(this.pongDeadline);
    this.pongDeadline = null;
    clear(this.replyProbe);
    this.replyProbe = null;
    const ms = this.session.idleTimeoutMs;
    this.watchdog = setTimeout(() => this.hooks.dead(`silent for ${ms} ms`), ms);
  }

  /** A frame was written on the welcomed socket: the heartbeat waits for write-idleness again. */
  wrote(): void {
    if (this.stopped || !this.session) return;
    clear(this.heartbeat);
    this.heartbeat = setTimeout(() => {
      this.heartbeat = null;
      this.sendPing();
    }, this.session.heartbeatMs);
    if (!this.replyProbe && !this.pongDeadline && !this.pinging) {
      this.replyProbe = setTimeout(() => {
        this.replyProbe = null;
        this.sendPing();
      }, this.options.replyProbeMs);
    }
  }

  /** A heartbeat or probe `ping`, and the deadline for any answer. */
  private sendPing(): void {
    if (this.stopped || this.pongDeadline) return;
    this.pinging = true;
    const written = this.hooks.ping();
    this.pinging = false;
    if (!written || this.stopped) return;
    const wait = this.options.pongTimeoutMs;
    this.pongDeadline = setTimeout(() => this.hooks.dead(`no answer to a ping in ${wait} ms`), wait);
  }

  /**
   * Someone doubts the link (a `send` went unanswered): a `ping` now, with the pong deadline, so a
   * dead link is found within pongTimeoutMs instead of after the next write-idle heartbeat. Nothing
   * when a ping is already waiting for its answer.
   */
  probe(): void {
    if (this.stopped || !this.session) return;
    clear(this.replyProbe);
    this.replyProbe = null;
    this.sendPing();
  }

  stop(): void {
    this.stopped = true;
    clear(this.watchdog);
    clear(this.heartbeat);
    clear(this.pongDeadline);
    clear(this.replyProbe);
  }
}

function clear(timer: Timer | null): void {
  if (timer) clearTimeout(timer);
}
