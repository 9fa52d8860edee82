/**
 * A tiny raw WebSocket client for frame-level tests: it records every server frame and lets a
 * test wait for the next one of a type. Waits use the real clock captured at import, so they
 * work under vi.useFakeTimers() too.
 */
import WebSocket from "ws";
import type { ServerFrame } from "@dim/shared";

const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

export type FrameOf<T extends ServerFrame["type"]> = Extract<ServerFrame, { type: T }>;

export interface CloseEvent {
  code: number;
  reason: string;
}

export class TestClient {
  /** Every frame received, in order (parsed JSON; not validated, so tests see what was sent). A binary frame is a protocol violation: recorded as `{ type: "binary" }`, so any wait for a real frame then fails. */
  readonly frames: ServerFrame[] = [];
  private readonly taken = new Set<number>();
  private waiters: Array<() => void> = [];
  readonly closed: Promise<CloseEvent>;
  private closeEvent: CloseEvent | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      // Every server frame is a text frame (docs/protocol.md §5); browsers would hand a Blob to a binary one.
      this.frames.push(isBinary ? ({ type: "binary" } as unknown as ServerFrame) : (JSON.parse(data.toString()) as ServerFrame));
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        this.closeEvent = { code, reason: reason.toString() };
        resolve(this.closeEvent);
        this.wake();
      });
    });
    ws.on("error", () => {});
  }

  static connect(url: string, opts: { origin?: string } = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { ...(opts.origin ? { origin: opts.origin } : {}) });
      const client = new TestClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, opts: { binary?: boolean } = {}): void {
    this.ws.send(data, { binary: opts.binary ?? false });
  }

  /** Frames of a type received so far (taken or not). */
  all<T extends ServerFrame["type"]>(type: T): FrameOf<T>[] {
    return this.frames.filter((f): f is FrameOf<T> => f.type === type);
  }

  /** The first not-yet-taken frame of this type that matches; waits for it. */
  async next<T extends ServerFrame["type"]>(
    type: T,
    match: (frame: FrameOf<T>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<FrameOf<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex((f, idx) => !this.taken.has(idx) && f.type === type && match(f as FrameOf<T>));
      if (i !== -1) {
        this.taken.add(i);
        return this.frames[i] as FrameOf<T>;
      }
      if (this.closeEvent) {
        throw new Error(`socket closed (${this.closeEvent.code} ${this.closeEvent.reason}) while waiting for '${type}'; got ${this.describe()}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for '${type}'; got ${this.describe()}`);
      await new Promise<void>((resolve) => {
        const t = realSetTimeout(resolve, left);
        this.waiters.push(() => {
          realClearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits for the close and returns its code and reason. */
  async waitClosed(timeoutMs = 5000): Promise<CloseEvent> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = realSetTimeout(() => reject(new Error(`socket not closed in time; got ${this.describe()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      realClearTimeout(timer);
    }
  }

  /**
   * Resolves after a ping/pong round trip: every frame the server wrote before it read the ping
   * is here. (`ping` is answered at once, not behind queued frames.)
   */
  async roundTrip(): Promise<void> {
    const t = Math.floor(Math.random() * 1e9);
    this.send({ type: "ping", t });
    await this.next("pong", (f) => f.t === t);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
  }

  private describe(): string {
    return JSON.stringify(this.frames.map((f) => (f.type === "error" ? `error:${f.code}` : f.type)));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** Real-clock sleep (works under fake timers). */
export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}
