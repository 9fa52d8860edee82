/// <reference path="./node-zookeeper-client.d.ts" />
/**
 * One ZooKeeper session at a time, with promise helpers. Opening retries with backoff (bounded:
 * ZooKeeper unreachable at start is a clear error); a session expiry — reported by the server, or
 * inferred locally after a disconnection longer than the session timeout — closes the client,
 * tells the listeners (registrations are lost, caches must reload) and opens a fresh session in
 * the background.
 */
import zookeeper, { type Client, type Event, type Stat } from "node-zookeeper-client";
import { AppError, ErrorCode } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import { sleep } from "@dim/shared/async";

export interface ZkSessionOptions {
  connect: string;
  sessionTimeoutMs: number;
  logger: Logger;
  /** How long one connection attempt may take (default min(sessionTimeout, 3 s)). */
  connectTimeoutMs?: number;
  /** Attempts when opening the first session before giving up (default 4: about 15 s in all). */
  startAttempts?: number;
  /** First retry delay; doubles up to 5 s (default 500 ms). */
  retryBaseMs?: number;
}

export const ZK_NO_NODE = zookeeper.Exception.NO_NODE;
export const ZK_NODE_EXISTS = zookeeper.Exception.NODE_EXISTS;
export const ZK_BAD_VERSION = zookeeper.Exception.BAD_VERSION;

export function zkCode(err: unknown): number | undefined {
  return typeof err === "object" && err !== null && typeof (err as { code?: unknown }).code === "number"
    ? (err as { code: number }).code
    : undefined;
}


export class ZkSession {
  private client: Client | undefined;
  private opening: Promise<Client> | undefined;
  private closed = false;
  private generation = 0;
  private disconnectTimer: NodeJS.Timeout | undefined;
  private readonly expiredListeners = new Set<(generation: number) => void>();
  private readonly sessionListeners = new Set<(generation: number) => void>();
  private readonly log: Logger;

  constructor(private readonly opts: ZkSessionOptions) {
    this.log = opts.logger;
  }

  /** The current session's generation (increments with every new session). */
  get current(): number {
    return this.generation;
  }

  /** Called (once per session) when a session is gone for good. */
  onExpired(listener: (generation: number) => void): () => void {
    this.expiredListeners.add(listener);
    return () => this.expiredListeners.delete(listener);
  }

  /** Called when a new session is established after an expiry. */
  onNewSession(listener: (generation: number) => void): () => void {
    this.sessionListeners.add(listener);
    return () => this.sessionListeners.delete(listener);
  }

  /** A connected client; the first call opens the session (retrying, bounded). */
  ready(): Promise<Client> {
    if (this.closed) return Promise.reject(new AppError(ErrorCode.Internal, "ZooKeeper session is closed"));
    if (this.client) return Promise.resolve(this.client);
    this.opening ??= this.open(this.opts.startAttempts ?? 4).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Session id and password, for tests that expire a session from a second client. */
  credentials(): { sessionId: Buffer; password: Buffer } | undefined {
    if (!this.client) return undefined;
    return { sessionId: this.client.getSessionId(), password: this.client.getSessionPassword() };
  }

  private async open(attempts: number): Promise<Client> {
    const base = this.opts.retryBaseMs ?? 500;
    const attemptTimeout = this.opts.connectTimeoutMs ?? Math.min(this.opts.sessionTimeoutMs, 3_000);
    let lastError = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.closed) throw new AppError(ErrorCode.Internal, "ZooKeeper session is closed");
      const client = zookeeper.createClient(this.opts.connect, {
        sessionTimeout: this.opts.sessionTimeoutMs,
        spinDelay: 200,
        retries: 2,
      });
      const connected = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), attemptTimeout);
        client.once("connected", () => {
          clearTimeout(timer);
          resolve(true);
        });
        client.once("authenticationFailed", () => {
          clearTimeout(timer);
          lastError = "authentication failed";
          resolve(false);
        });
        client.connect();
      });
      if (connected && !this.closed) {
        this.adopt(client);
        return client;
      }
      client.close();
      if (this.closed) break;
      lastError ||= `no answer within ${attemptTimeout} ms`;
      if (attempt < attempts) {
        const delay = Math.min(base * 2 ** (attempt - 1), 5_000);
        this.log.warn(
          { zk: this.opts.connect, attempt, attempts, retryInMs: delay },
          `ZooKeeper unreachable at ${this.opts.connect} (${lastError}); retrying`,
        );
        await sleep(delay);
      }
    }
    throw new AppError(
      ErrorCode.Internal,
      `ZooKeeper unreachable at ${this.opts.connect} after ${attempts} attempts (${lastError}); is it running? (DIM_ZK_CONNECT)`,
    );
  }

  private adopt(client: Client): void {
    this.client = client;
    this.generation += 1;
    const generation = this.generation;
    this.log.info({ zk: this.opts.connect, generation, sessionId: client.getSessionId().toString("hex") }, "ZooKeeper session established");
    client.on("state", (state) => {
      if (this.client !== client) return;
      if (state === zookeeper.State.SYNC_CONNECTED) {
        clearTimeout(this.disconnectTimer);
        this.disconnectTimer = undefined;
      } else if (state === zookeeper.State.DISCONNECTED) {
        this.log.warn({ generation }, "ZooKeeper disconnected; the session survives if we reconnect in time");
        // The server expires the session once it has not heard from us for the session timeout:
        // past that, our identity is gone even if we cannot hear the verdict.
        clearTimeout(this.disconnectTimer);
        this.disconnectTimer = setTimeout(() => this.expire(client, "disconnected longer than the session timeout"), this.opts.sessionTimeoutMs);
        this.disconnectTimer.unref();
      } else if (state === zookeeper.State.EXPIRED) {
        this.expire(client, "session expired");
      }
    });
  }

  private expire(client: Client, reason: string): void {
    if (this.client !== client) return;
    const generation = this.generation;
    clearTimeout(this.disconnectTimer);
    this.disconnectTimer = undefined;
    this.client = undefined;
    client.close();
    this.log.warn({ generation, reason }, "ZooKeeper session lost");
    for (const l of [...this.expiredListeners]) {
      try {
        l(generation);
      } catch (err) {
        this.log.error({ err }, "session-expired listener threw");
      }
    }
    if (this.closed) return;
    // Re-open in the background, for as long as it takes.
    void this.reopen();
  }

  private async reopen(): Promise<void> {
    while (!this.closed && !this.client) {
      try {
        await this.ready();
      } catch (err) {
        if (this.closed) return;
        this.log.warn({ err }, "ZooKeeper still unreachable; retrying");
        await sleep(1_000);
        continue;
      }
      const generation = this.generation;
      for (const l of [...this.sessionListeners]) {
        try {
          l(generation);
        } catch (err) {
          this.log.error({ err }, "new-session listener threw");
        }
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.disconnectTimer);
    this.client?.close();
    this.client = undefined;
  }

  // ───────────── promise helpers (on the current client) ─────────────

  async mkdirp(path: string): Promise<void> {
    const c = await this.ready();
    await new Promise<void>((resolve, reject) => c.mkdirp(path, (err) => (err ? reject(err) : resolve())));
  }

  async create(path: string, data: Buffer | null, mode: number): Promise<string> {
    const c = await this.ready();
    return new Promise((resolve, reject) => c.create(path, data, mode, (err, p) => (err ? reject(err) : resolve(p))));
  }

  async remove(path: string, version = -1): Promise<void> {
    const c = await this.ready();
    return new Promise((resolve, reject) => c.remove(path, version, (err) => (err ? reject(err) : resolve())));
  }

  async setData(path: string, data: Buffer, version: number): Promise<Stat> {
    const c = await this.ready();
    return new Promise((resolve, reject) => c.setData(path, data, version, (err, stat) => (err ? reject(err) : resolve(stat))));
  }

  async getData(path: string, watcher?: (e: Event) => void): Promise<{ data: Buffer | undefined; stat: Stat }> {
    const c = await this.ready();
    return new Promise((resolve, reject) => {
      const cb = (err: Error | null, data: Buffer | undefined, stat: Stat) => (err ? reject(err) : resolve({ data, stat }));
      if (watcher) c.getData(path, watcher, cb);
      else c.getData(path, cb);
    });
  }

  async getChildren(path: string, watcher?: (e: Event) => void): Promise<string[]> {
    const c = await this.ready();
    return new Promise((resolve, reject) => {
      const cb = (err: Error | null, children: string[]) => (err ? reject(err) : resolve(children));
      if (watcher) c.getChildren(path, watcher, cb);
      else c.getChildren(path, cb);
    });
  }

  async exists(path: string, watcher?: (e: Event) => void): Promise<Stat | null> {
    const c = await this.ready();
    return new Promise((resolve, reject) => {
      const cb = (err: Error | null, stat: Stat | null) => (err ? reject(err) : resolve(stat));
      if (watcher) c.exists(path, watcher, cb);
      else c.exists(path, cb);
    });
  }
}
