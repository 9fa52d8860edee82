/**
 * The sender leg's ACK clock (the seed's 4 s / re-send / 4 s, made configurable): after a `send`
 * is written, wait `timeoutMs` for `sent`; if none came, re-send once (same clientMsgId); if still
 * none after another `timeoutMs`, the message failed (unless the handler defers it). Uses the global timers, so tests drive it
 * with fake timers.
 */
export interface AckClockHandlers {
  /** First timeout: write the same frame again. */
  resend(clientMsgId: string): void;
  /**
   * Second timeout: give up; the message is "failed" until a manual retry. Returns false to wait
   * another `timeoutMs` instead (the link is being probed: a dead link, not a refusing server).
   */
  fail(clientMsgId: string): boolean;
}

interface Armed {
  timer: ReturnType<typeof setTimeout>;
  resent: boolean;
}

export class AckClock {
  private readonly armed = new Map<string, Armed>();

  constructor(
    private readonly timeoutMs: number,
    private readonly handlers: AckClockHandlers,
  ) {}

  /** Starts (or restarts from zero) the clock of a frame that was just written. */
  start(clientMsgId: string): void {
    this.stop(clientMsgId);
    this.arm(clientMsgId, false);
  }

  /** The frame was answered (`sent` or an error): stop its clock. */
  stop(clientMsgId: string): void {
    const entry = this.armed.get(clientMsgId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.armed.delete(clientMsgId);
  }

  /** The socket went away: every clock stops; the frames are written (and clocked) again later. */
  stopAll(): void {
    for (const entry of this.armed.values()) clearTimeout(entry.timer);
    this.armed.clear();
  }

  isRunning(clientMsgId: string): boolean {
    return this.armed.has(clientMsgId);
  }

  private arm(clientMsgId: string, resent: boolean): void {
    const timer = setTimeout(() => {
      this.armed.delete(clientMsgId);
      if (!resent) {
        this.arm(clientMsgId, true);
        this.handlers.resend(clientMsgId);
      } else if (!this.handlers.fail(clientMsgId)) {
        this.arm(clientMsgId, true);
      }
    }, this.timeoutMs);
    this.armed.set(clientMsgId, { timer, resent });
  }
}
