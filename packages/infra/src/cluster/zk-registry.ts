/// <reference path="./node-zookeeper-client.d.ts" />
/**
 * Registry on ZooKeeper.
 *
 * Layout under the root (DIM_ZK_ROOT, default /dim):
 *   <root>/nodes/<nodeId>      EPHEMERAL, JSON NodeInfo {nodeId, host, wsPort, httpPort, wsUrl,
 *                              startedAt, epoch, connections}; gone when the session ends
 *   <root>/epochs/<nodeId>-NNNNNNNNNN   EPHEMERAL_SEQUENTIAL marker taken at each registration:
 *                              its sequence number (the parent's counter, shared by all nodes,
 *                              never reused) is the epoch, so epochs increase across the cluster
 *
 * Node side: register() → ephemeral znode; setConnections() coalesced into at most one write per
 * `connectionsUpdateMs` (versioned: only the owner writes); session expiry (or a disconnection
 * longer than the session timeout) → onLost listeners (the node fences itself), after which the
 * node may register() again and gets a higher epoch.
 *
 * Gateway side: liveNodes() reads a cache of <root>/nodes kept current by child and data watches,
 * rebuilt on every new session.
 */
import zookeeper, { type Event } from "node-zookeeper-client";
import { AppError, ErrorCode, NODE_ID_RE } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import { normalRates } from "../message-rates";
import type { NodeInfo, Registration, Registry } from "../types";
import { ZkRegistration } from "./zk-registration";
import { ZK_NODE_EXISTS, ZK_NO_NODE, ZkSession, zkCode, type ZkSessionOptions } from "./zk-session";

export interface ZkRegistryOptions extends Omit<ZkSessionOptions, "logger"> {
  /** Absolute znode path, e.g. /dim. */
  root: string;
  logger: Logger;
  /** At most one connections update per this many ms (default 1000). */
  connectionsUpdateMs?: number;
  /**
   * register() of a node id whose znode still belongs to an older session (a node killed and
   * restarted before its session expired) waits this long for it to go (default 2 × session timeout).
   */
  registerWaitMs?: number;
}


function parseNodeInfo(id: string, data: Buffer | undefined): NodeInfo | undefined {
  if (!data) return undefined;
  try {
    const j = JSON.parse(data.toString("utf8")) as Partial<NodeInfo>;
    if (typeof j.wsUrl !== "string" || typeof j.epoch !== "number") return undefined;
    return {
      nodeId: id,
      host: String(j.host ?? ""),
      wsPort: Number(j.wsPort ?? 0),
      httpPort: Number(j.httpPort ?? 0),
      wsUrl: j.wsUrl,
      startedAt: String(j.startedAt ?? ""),
      epoch: j.epoch,
      connections: Number(j.connections ?? 0),
      // Absent until the node's first load report (or from an older node): nothing measured yet.
      messageRates: normalRates({ inPerSec: Number(j.messageRates?.inPerSec ?? 0), outPerSec: Number(j.messageRates?.outPerSec ?? 0) }),
      ...(j.draining === true ? { draining: true } : {}),
    };
  } catch {
    return undefined;
  }
}

export class ZkRegistry implements Registry {
  private readonly session: ZkSession;
  private readonly nodesPath: string;
  private readonly epochsPath: string;
  private readonly log: Logger;
  private readonly registrations = new Set<ZkRegistration>();
  private readonly sessionTimeoutMs: number;
  private closing: Promise<void> | undefined;
  private dirsReady: { generation: number; promise: Promise<void> } | undefined;

  // gateway cache
  private cache: Map<string, NodeInfo> | undefined;
  private cacheReady: Promise<void> | undefined;
  private readonly dataWatchers = new Map<string, (e: Event) => void>();
  private readonly childWatcher = (e: Event) => {
    if (e.getType() === zookeeper.Event.NODE_CHILDREN_CHANGED || e.getType() === zookeeper.Event.NODE_DELETED) void this.loadChildren();
  };

  constructor(private readonly opts: ZkRegistryOptions) {
    if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(opts.root)) {
      throw new AppError(ErrorCode.InvalidConfig, `ZooKeeper root must be an absolute path like /dim, got '${opts.root}'`);
    }
    this.nodesPath = `${opts.root}/nodes`;
    this.epochsPath = `${opts.root}/epochs`;
    this.log = opts.logger;
    this.sessionTimeoutMs = opts.sessionTimeoutMs;
    this.session = new ZkSession({ ...opts, logger: opts.logger });
    this.session.onExpired((generation) => {
      for (const r of [...this.registrations]) if (r.generation === generation) r.lose("ZooKeeper session expired");
    });
    this.session.onNewSession(() => {
      // watches died with the old session: rebuild the cache from scratch
      if (this.cache) {
        this.dataWatchers.clear();
        void this.loadChildren();
      }
    });
  }

  /** Opens the ZooKeeper session now (bounded retries): a clear error at boot when unreachable. */
  async ready(): Promise<void> {
    await this.session.ready();
    await this.ensureDirs();
  }

  /** @internal For tests: the current session's id and password. */
  sessionCredentials(): { sessionId: Buffer; password: Buffer } | undefined {
    return this.session.credentials();
  }

  private ensureDirs(): Promise<void> {
    const generation = this.session.current;
    if (!this.dirsReady || this.dirsReady.generation !== generation) {
      const promise = Promise.all([this.session.mkdirp(this.nodesPath), this.session.mkdirp(this.epochsPath)]).then(() => undefined);
      this.dirsReady = { generation, promise };
      promise.catch(() => {
        if (this.dirsReady?.promise === promise) this.dirsReady = undefined;
      });
    }
    return this.dirsReady.promise;
  }

  async register(input: Omit<NodeInfo, "epoch" | "connections">): Promise<Registration> {
    if (this.closing) throw new AppError(ErrorCode.Internal, "registry is closed");
    if (!NODE_ID_RE.test(input.nodeId)) {
      throw new AppError(ErrorCode.BadRequest, "nodeId must be 1..64 characters of A-Z a-z 0-9 . _ -");
    }
    await this.session.ready();
    await this.ensureDirs();
    const generation = this.session.current;
    const path = `${this.nodesPath}/${input.nodeId}`;
    const epochPath = await this.session.create(`${this.epochsPath}/${input.nodeId}-`, null, zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL);
    const epoch = Number(epochPath.slice(-10)) + 1;
    const info: NodeInfo = { ...input, epoch, connections: 0 };
    const data = Buffer.from(JSON.stringify(info));
    const deadline = Date.now() + (this.opts.registerWaitMs ?? 2 * this.sessionTimeoutMs);
    let announced = false;
    try {
      for (;;) {
        try {
          await this.session.create(path, data, zookeeper.CreateMode.EPHEMERAL);
          break;
        } catch (err) {
          if (zkCode(err) !== ZK_NODE_EXISTS) throw err;
        }
        const existing = await this.existing(path);
        if (!existing) continue; // vanished meanwhile
        const mine = existing.ephemeralOwner.equals(this.session.credentials()?.sessionId ?? Buffer.alloc(8));
        if (mine) {
          // an earlier registration of this same session (never deregistered): replace it
          await this.session.remove(path).catch(() => undefined);
          continue;
        }
        if (Date.now() > deadline) {
          throw new AppError(ErrorCode.Conflict, `node id '${input.nodeId}' is registered by another live ZooKeeper session`);
        }
        if (!announced) {
          announced = true;
          this.log.warn({ nodeId: input.nodeId }, "node id still registered by an older session; waiting for it to expire");
        }
        await this.waitGone(path, deadline);
      }
    } catch (err) {
      await this.session.remove(epochPath).catch(() => undefined);
      throw err;
    }
    const log = this.log.child({ nodeId: input.nodeId, epoch });
    const registration = new ZkRegistration(this, this.session, generation, info, path, epochPath, 0, this.opts.connectionsUpdateMs ?? 1_000, log);
    this.registrations.add(registration);
    if (this.session.current !== generation) registration.lose("ZooKeeper session expired while registering");
    log.info("node registered in ZooKeeper");
    return registration;
  }

  private async existing(path: string) {
    try {
      return await this.session.exists(path);
    } catch (err) {
      if (zkCode(err) === ZK_NO_NODE) return null;
      throw err;
    }
  }

  private async waitGone(path: string, deadline: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, Math.min(deadline - Date.now(), 1_000)) + 10);
      void this.session
        .exists(path, () => {
          clearTimeout(timer);
          resolve();
        })
        .then((stat) => {
          if (!stat) {
            clearTimeout(timer);
            resolve();
          }
        })
        .catch(() => undefined);
    });
  }

  // ───────────────────────────── gateway side ─────────────────────────────

  async liveNodes(): Promise<NodeInfo[]> {
    if (this.closing) throw new AppError(ErrorCode.Internal, "registry is closed");
    if (!this.cache) {
      this.cache = new Map();
      this.cacheReady = this.loadChildren();
    }
    await this.cacheReady;
    return [...this.cache.values()].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }

  private async loadChildren(): Promise<void> {
    const cache = this.cache;
    if (!cache || this.closing) return;
    let children: string[];
    try {
      await this.ensureDirs();
      children = await this.session.getChildren(this.nodesPath, this.childWatcher);
    } catch (err) {
      if (this.closing) return;
      this.log.warn({ err }, "could not list live nodes; retrying");
      // retried by the next session (onNewSession) or here after a short pause
      setTimeout(() => void this.loadChildren(), 1_000).unref();
      return;
    }
    const present = new Set(children);
    for (const id of [...cache.keys()]) if (!present.has(id)) cache.delete(id);
    await Promise.all(children.filter((id) => !cache.has(id) || !this.dataWatchers.has(id)).map((id) => this.loadChild(id)));
  }

  private async loadChild(id: string): Promise<void> {
    const cache = this.cache;
    if (!cache || this.closing) return;
    let watcher = this.dataWatchers.get(id);
    if (!watcher) {
      watcher = () => void this.loadChild(id);
      this.dataWatchers.set(id, watcher);
    }
    try {
      const { data } = await this.session.getData(`${this.nodesPath}/${id}`, watcher);
      const info = parseNodeInfo(id, data);
      if (info) cache.set(id, info);
      else cache.delete(id);
    } catch (err) {
      this.dataWatchers.delete(id);
      if (zkCode(err) === ZK_NO_NODE) cache.delete(id);
      else if (!this.closing) this.log.warn({ err, nodeId: id }, "could not read a node's registration");
    }
  }

  /** @internal */
  forget(registration: ZkRegistration): void {
    this.registrations.delete(registration);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.registrations].map((r) => r.deregister()));
      this.session.close();
    })();
    return this.closing;
  }
}
