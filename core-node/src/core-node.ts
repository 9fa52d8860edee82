/**
 * A core node: holds client sockets and routes their messages. It owns its HTTP server and the
 * sockets; the store, bus, registry and presence are passed in and closed by whoever created
 * them (main.ts, or a test).
 *
 * Lifecycle: start() binds, subscribes to the node's bus inbox, registers, and starts renewing
 * presence leases; stop() is idempotent. When the registry says the registration is lost the
 * node fences itself (closes every socket, releases every lease) before registering again, so
 * no user is ever served by a node that no longer owns its identity.
 *
 * drain() (SIGTERM, or POST /admin/drain on the metrics listener) is the gentle stop: marked
 * draining in the registry (no new assignments, still routed to), sockets closed with 4504 in
 * waves over DIM_DRAIN_MS (drain-waves.ts), then stop(). stop() during a drain closes the rest now.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { IncomingMessage } from "node:http";
import type { WebSocket } from "ws";
import { AppError, CloseCode, ErrorCode, parseNodeEnvelope, type ConversationCursor, type NodeEnvelopeOf } from "@dim/shared";
import { createLogger, runReadiness, type Logger, type ReadinessCheck } from "@dim/shared/node";
import type { NaturalBatcher } from "@dim/shared/async";
import type { ContactPresenceStore, MessageStore } from "@dim/db";
import type { Bus, NodeInfo, Presence, Registration, Registry, Route } from "@dim/infra";
import { UsedTokens } from "./used-tokens";
import { ClientConnection, type ConnectionHost, type ConnectionOptions, type UserFrame } from "./client-connection";
import type { CoreNodeConfig } from "./config";
import { LocalConnections } from "./local-connections";
import { GroupMembers } from "./group-members";
import { MessageRouter } from "./message-router";
import { PeerNodes } from "./peer-nodes";
import { PresenceChanges } from "./presence-changes";
import { claimBatcher, routeBatcher } from "./route-batcher";
import { RouteChanges } from "./route-changes";
import { RouteLookup } from "./route-lookup";
import { nodeReadinessChecks } from "./readiness-checks";
import { NodeServer, WS_PATH } from "./server";
import { monotonicMs } from "@dim/shared/node";
import { METRICS_OFF, startMetricsServer, type MetricsConfig, type MetricsServer } from "@dim/shared/metrics";
import { NodeMetrics } from "./node-metrics";
import { runDrainWaves } from "./drain-waves";
import type { PushStore } from "@dim/db";
import { PushNotifier, type PushSenderConfig } from "./push/push-notifier";
import { MESSAGE_RATE_SAMPLE_MS, MessageRateSampler } from "./message-rates";

export interface CoreNodeDeps {
  config: CoreNodeConfig;
  store: MessageStore;
  bus: Bus;
  registry: Registry;
  presence: Presence;
  /** Contacts, last seen and "hide my last seen" (online / last seen of contacts). */
  contactPresence: ContactPresenceStore;
  logger?: Logger;
  /** More `GET /readyz` checks, by name (main.ts: database, migrations). */
  readinessChecks?: Record<string, ReadinessCheck>;
  /** This node's counters (main.ts makes them first, for the store and the bus); default: a registry of its own. */
  metrics?: NodeMetrics;
  /** Where to serve them (its own listener, never the public port). Default: no listener. */
  metricsListener?: MetricsConfig;
  /** Web Push (main.ts: always); absent: this node sends no pushes. */
  push?: { store: PushStore; config: PushSenderConfig };
  /** How often the node measures its message rates for the registry (default MESSAGE_RATE_SAMPLE_MS; tests shorten it). */
  messageRateSampleMs?: number;
  /**
   * Someone asked for a drain from outside the process (POST /admin/drain, or `node.drain` from an
   * admin on the bus). main.ts handles it as a SIGTERM (drain, then exit); default: drain().
   */
  onDrainRequested?: (source: "metrics-listener" | "admin") => void;
}

export interface StartedNode {
  nodeId: string;
  port: number;
  wsUrl: string;
  /** `GET /metrics` of this node, when it serves them. */
  metricsUrl?: string;
}

/** How long stop() lets queued Web Pushes finish. */
const PUSH_STOP_GRACE_MS = 2_000;
/** How long stop() lets the last presence announcements publish (a hung bus must not hold stop). */
const PRESENCE_STOP_GRACE_MS = 2_000;

type Phase = "new" | "starting" | "running" | "fenced" | "draining" | "stopping" | "stopped";

/**
 * How often the node checks its sockets' auth deadlines and idle timeouts: a tenth of the shorter
 * of the two, between 10 ms and 1 s. A deadline is met within one interval.
 */
export function deadlineSweepMs(config: Pick<CoreNodeConfig, "authTimeoutMs" | "idleTimeoutMs">): number {
  return Math.min(1000, Math.max(10, Math.floor(Math.min(config.authTimeoutMs, config.idleTimeoutMs) / 10)));
}

export class CoreNode implements ConnectionHost {
  private readonly config: CoreNodeConfig;
  private readonly store: MessageStore;
  private readonly bus: Bus;
  private readonly registry: Registry;
  private readonly presence: Presence;
  private log: Logger;

  private readonly connections = new LocalConnections();
  private readonly connectionOptions: ConnectionOptions;
  /** Leases of sockets authenticating at the same time, claimed in one call (natural batching). */
  private readonly claims: NaturalBatcher<Route, boolean>;
  /** Leases of sockets closing at the same time (a mass disconnect), released in one call. */
  private readonly releases: NaturalBatcher<Route, void>;
  private readonly router: MessageRouter;
  /** Other live nodes, for fan-out by node (groups). */
  private readonly peers: PeerNodes;
  /** Tells other nodes about this node's new connections (their route caches). */
  private readonly routeChanges: RouteChanges;
  /** Online / offline changes of this node's users, coalesced, for their contacts. */
  private readonly presenceChanges: PresenceChanges;
  private readonly server: NodeServer;
  readonly metrics: NodeMetrics;
  private readonly metricsListener: MetricsConfig;
  private metricsServer: MetricsServer | undefined;
  private readonly abort = new AbortController();
  /** Web Push for members with no socket anywhere (undefined: none configured). */
  readonly push: PushNotifier | undefined;
  private readonly rateSampleMs: number;
  private readonly requestDrain: (source: "metrics-listener" | "admin") => void;

  private phase: Phase = "new";
  private accepting = false;
  private registration: Registration | undefined;
  private info: Omit<NodeInfo, "epoch" | "connections"> | undefined;
  private presenceTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private ratesTimer: NodeJS.Timeout | undefined;
  private refreshing = false;
  private fencing: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private draining: Promise<void> | undefined;
  private _nodeId: string | undefined;

  constructor(deps: CoreNodeDeps) {
    this.config = deps.config;
    this.store = deps.store;
    this.bus = deps.bus;
    this.registry = deps.registry;
    this.presence = deps.presence;
    this.rateSampleMs = deps.messageRateSampleMs ?? MESSAGE_RATE_SAMPLE_MS;
    this.requestDrain = deps.onDrainRequested ?? (() => void this.drain());
    this.log = (deps.logger ?? createLogger("core-node")).child(deps.config.nodeId ? { nodeId: deps.config.nodeId } : {});
    this.metrics = deps.metrics ?? new NodeMetrics();
    this.metricsListener = deps.metricsListener ?? METRICS_OFF;
    this.metrics.watchConnections(() => ({ authenticated: this.connections.authenticatedCount, total: this.connections.size }));
    this.connectionOptions = {
      tokenSecret: this.config.tokenSecret,
      authTimeoutMs: this.config.authTimeoutMs,
      idleTimeoutMs: this.config.idleTimeoutMs,
      heartbeatMs: this.config.heartbeatMs,
      ackTimeoutMs: this.config.ackTimeoutMs,
      repush: this.config.repush,
      maxBufferedBytes: this.config.maxBufferedBytes,
      rateLimitPerSec: this.config.rateLimitPerSec,
      rateLimitBurst: this.config.rateLimitBurst,
      usedTokens: new UsedTokens(),
      metrics: this.metrics,
    };
    this.claims = claimBatcher(async (routes) => {
      const claimed = await this.presence.claimCapped(routes, this.config.maxSocketsPerUser, this.config.presenceTtlMs);
      // Other nodes drop their cached routes of these users before the sockets are welcomed.
      await this.routeChanges.announce([...new Set(routes.filter((_, i) => claimed[i]).map((r) => r.userId))]);
      return claimed;
    });
    this.releases = routeBatcher((routes) => this.presence.release(routes));
    const routes = new RouteLookup(this.presence, { ttlMs: this.config.routeCacheTtlMs, onLookup: this.metrics.routeLookup });
    this.routeChanges = new RouteChanges({
      nodeId: () => this.nodeId,
      bus: this.bus,
      registry: this.registry,
      routes,
      logger: this.log,
      ackTimeoutMs: this.config.routeAckTimeoutMs,
    });
    this.push = deps.push
      ? new PushNotifier({ store: deps.push.store, presence: this.presence, config: deps.push.config, logger: this.log, metrics: this.metrics })
      : undefined;
    this.peers = new PeerNodes({ nodeId: () => this.nodeId, registry: this.registry, ttlMs: this.config.peerListTtlMs, logger: this.log });
    this.router = new MessageRouter({
      nodeId: () => this.nodeId,
      store: this.store,
      bus: this.bus,
      routes,
      peers: this.peers,
      members: new GroupMembers(this.store, this.config.membersCacheMax),
      connections: this.connections,
      contactPresence: deps.contactPresence,
      presence: this.presence,
      groupReceiptCoalesceMs: this.config.groupReceiptCoalesceMs,
      logger: this.log,
      metrics: this.metrics,
      push: this.push,
    });
    this.presenceChanges = new PresenceChanges({
      nodeId: () => this.nodeId,
      store: deps.contactPresence,
      presence: this.presence,
      routes,
      bus: this.bus,
      connections: this.connections,
      coalesceMs: this.config.presenceCoalesceMs,
      logger: this.log,
    });
    const readiness = nodeReadinessChecks({
      phase: () => this.phase,
      accepting: () => this.accepting,
      registered: () => this.registration !== undefined,
      bus: this.bus,
      presence: this.presence,
      ...(deps.readinessChecks ? { extra: deps.readinessChecks } : {}),
    });
    this.server = new NodeServer({
      host: this.config.host,
      port: this.config.port,
      allowedOrigins: this.config.allowedOrigins,
      maxConnections: this.config.maxConnections,
      logger: this.log,
      accepting: () => this.accepting,
      connectionCount: () => this.connections.size,
      health: () => ({
        nodeId: this._nodeId ?? null,
        phase: this.phase,
        connections: this.connections.authenticatedCount,
        epoch: this.registration?.epoch ?? null,
      }),
      readiness: () => runReadiness(readiness),
      onSocket: (ws, req) => this.onSocket(ws, req),
    });
  }

  /** This node's id (config, or node-<host>-<port> once bound). */
  get nodeId(): string {
    if (this._nodeId === undefined) throw new Error("CoreNode: nodeId is known once start() bound the port");
    return this._nodeId;
  }

  /** Authenticated sockets held now. */
  get connectionCount(): number {
    return this.connections.authenticatedCount;
  }

  /** True from drain() on (until it stopped). */
  get isDraining(): boolean {
    return this.draining !== undefined && this.phase === "draining";
  }

  /** True while the node takes new sockets (running and not fenced). */
  get isAccepting(): boolean {
    return this.accepting;
  }

  async start(): Promise<StartedNode> {
    if (this.phase !== "new") throw new Error(`CoreNode.start() called in phase '${this.phase}'`);
    this.phase = "starting";
    try {
      const port = await this.server.listen();
      this.throwIfStopping();
      this.sweepTimer = setInterval(() => this.connections.sweep(monotonicMs()), deadlineSweepMs(this.config));
      this.sweepTimer.unref();
      const nodeId = this.config.nodeId ?? `node-${this.config.host.replace(/[^A-Za-z0-9_.-]/g, "-")}-${port}`;
      this._nodeId = nodeId;
      this.log = this.log.child(this.config.nodeId ? {} : { nodeId });
      const wsUrl = this.config.publicWsUrl ?? `ws://${urlHost(this.config.host)}:${port}${WS_PATH}`;
      this.info = { nodeId, host: this.config.host, wsPort: port, httpPort: port, wsUrl, startedAt: new Date().toISOString() };
      if (this.metricsListener.enabled) {
        this.metricsServer = await startMetricsServer(this.metrics.registry, this.metricsListener, this.log, {
          drain: () => this.requestDrain("metrics-listener"),
        });
        this.throwIfStopping();
      }

      await this.bus.subscribe(nodeId, (payload) => this.onBusPayload(payload));
      this.throwIfStopping();
      // Accept before registering: the gateway may send clients as soon as we are listed.
      this.accepting = true;
      const registration = await this.registry.register(this.info);
      if (this.stopping) await registration.deregister().catch(() => undefined);
      this.throwIfStopping();
      this.adoptRegistration(registration);

      const every = Math.max(100, Math.floor(this.config.presenceTtlMs / 3));
      this.presenceTimer = setInterval(() => void this.refreshPresence(), every);
      this.presenceTimer.unref();
      const rates = new MessageRateSampler(this.metrics);
      this.ratesTimer = setInterval(() => this.registration?.setMessageRates(rates.sample()), this.rateSampleMs);
      this.ratesTimer.unref();

      this.phase = "running";
      this.log.info({ port, wsUrl, epoch: this.registration?.epoch }, "core node started");
      return { nodeId, port, wsUrl, ...(this.metricsServer ? { metricsUrl: this.metricsServer.url } : {}) };
    } catch (err) {
      this.log.error({ err }, "core node failed to start");
      await this.stop();
      throw err;
    }
  }

  /** One record from the bus: decoded with the node protocol; a bad or unknown one is logged and dropped. */
  private async onBusPayload(payload: string): Promise<void> {
    if (this.phase === "stopped") return;
    const parsed = parseNodeEnvelope(payload);
    if (!parsed.ok) {
      if (parsed.unknownType) this.log.warn({ type: parsed.unknownType }, "bus envelope of an unknown type dropped (a newer node?)");
      else this.log.error({ err: parsed.error }, "malformed bus envelope dropped");
      return;
    }
    const envelope = parsed.envelope;
    try {
      if (envelope.type === "routes.changed" || envelope.type === "routes.ack") {
        // A node announcing connections is live: group fan-out includes it from now on.
        if (envelope.type === "routes.changed") this.peers.heard(envelope.from);
        await this.routeChanges.onEnvelope(envelope);
      } else if (envelope.type === "presence") this.presenceChanges.onEnvelope(envelope);
      else if (envelope.type === "node.drain") this.onDrainEnvelope(envelope);
      else await this.router.onEnvelope(envelope);
    } catch (err) {
      this.log.error({ err, type: envelope.type }, "bus envelope handling failed");
    }
  }

  /** An admin's drain (admin.drainNode), for this very registration only. */
  private onDrainEnvelope(envelope: NodeEnvelopeOf<"node.drain">): void {
    const epoch = this.registration?.epoch;
    if (envelope.nodeId !== this._nodeId || envelope.epoch !== epoch) {
      this.log.warn({ asked: { nodeId: envelope.nodeId, epoch: envelope.epoch }, epoch, by: envelope.by }, "admin drain for another registration ignored");
      return;
    }
    this.log.info({ by: envelope.by, epoch }, "drain asked by an admin");
    this.requestDrain("admin");
  }

  private throwIfStopping(): void {
    if (this.stopping) throw new Error("CoreNode stopped while starting");
  }

  /**
   * Idempotent: stop taking clients now (marked draining in the registry, so `nodes.assign`
   * skips this node; new sockets get 4504), close the sockets in random order at an even rate
   * over `windowMs` (default DIM_DRAIN_MS) with 4504 NodeDraining, each after its frames in hand
   * are answered, then stop(). Resolves once stopped. Before start() finished, it is stop().
   */
  drain(windowMs = this.config.drainMs): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.phase !== "running" && this.phase !== "fenced") return this.stop();
    this.draining ??= this.runDrain(windowMs);
    return this.draining;
  }

  private async runDrain(windowMs: number): Promise<void> {
    this.phase = "draining";
    this.accepting = false;
    try {
      await this.registration?.setDraining();
    } catch (err) {
      this.log.warn({ err }, "could not mark the node draining in the registry; draining anyway");
    }
    const sockets = this.connections.list();
    this.log.info({ sockets: sockets.length, windowMs }, "draining: moving clients away");
    const closing: Array<Promise<void>> = [];
    await runDrainWaves(
      sockets,
      ({ items }) => {
        for (const conn of items) closing.push(conn.closeWhenIdle(CloseCode.NodeDraining, "node is draining; reconnect elsewhere").then(() => conn.done));
      },
      { windowMs, signal: this.abort.signal },
    );
    await Promise.all(closing);
    if (!this.stopping) this.log.info({ sockets: sockets.length }, "drained: stopping");
    await this.stop();
  }

  /** Idempotent graceful stop: stop accepting, deregister, close sockets, release leases, flush, close HTTP. */
  stop(): Promise<void> {
    this.stopping ??= this.runStop();
    return this.stopping;
  }

  private async runStop(): Promise<void> {
    const wasStarted = this._nodeId !== undefined;
    this.phase = "stopping";
    this.accepting = false;
    this.abort.abort();
    clearInterval(this.presenceTimer);
    clearInterval(this.ratesTimer);
    clearInterval(this.sweepTimer);
    const registration = this.registration;
    this.registration = undefined;
    try {
      await registration?.deregister();
    } catch (err) {
      this.log.warn({ err }, "deregister failed; the registration will expire");
    }
    await this.closeAllSockets("node is shutting down");
    // The users who went offline with it: their contacts hear now, their last seen is stored
    // (bounded like the fan-out below: behind a hung bus, contacts see it on their next query).
    await Promise.race([this.presenceChanges.flush(), sleep(PRESENCE_STOP_GRACE_MS, undefined, { ref: false })]);
    // Messages committed just before get their remote fan-out (bounded: sync repairs the rest).
    await this.router.drain();
    // Pushes already queued get a moment to go out; then the rest are dropped (the messages are stored).
    if (this.push) await Promise.race([this.push.idle(), sleep(PUSH_STOP_GRACE_MS)]);
    this.push?.stop();
    if (wasStarted) {
      try {
        await this.bus.removeInbox?.(this.nodeId);
      } catch (err) {
        this.log.warn({ err }, "could not remove the bus inbox");
      }
    }
    await this.server.close();
    await this.metricsServer?.close();
    await this.fencing?.catch(() => undefined);
    this.phase = "stopped";
    this.log.info("core node stopped");
  }

  // ─────────────────────────── sockets ───────────────────────────

  private onSocket(ws: WebSocket, req: IncomingMessage): void {
    if (!this.accepting) {
      // The upgrade was checked before the node began stopping or fencing.
      if (this.phase === "draining") ws.close(CloseCode.NodeDraining, "node is draining; reconnect elsewhere");
      else ws.close(CloseCode.NodeShuttingDown, "node is not accepting connections");
      return;
    }
    const conn = new ClientConnection(ws, this, this.connectionOptions, this.log);
    this.connections.add(conn);
    if (this.log.isLevelEnabled("debug")) this.log.debug({ connId: conn.id, remote: req.socket.remoteAddress }, "socket opened");
  }

  /** ConnectionHost: a verified socket joins its user's routes. */
  async authenticate(conn: ClientConnection, userId: string, sessionId: string): Promise<ConversationCursor[]> {
    if (!this.accepting) throw new Error("node is not accepting sockets");
    // Bound and leased before the cursors are read: a message committed after that read is
    // pushed (held until welcome), one committed before it is counted in lastSeq and synced.
    this.connections.bind(conn, userId);
    this.registration?.setConnections(this.connections.authenticatedCount);
    // Claimed together with the other sockets authenticating now (one call for many), under the
    // per-user socket cap. The session is checked after the bind: a `session.ended` that arrives
    // from now on finds this socket, one that came before finds the session gone here.
    const route = { userId, nodeId: this.nodeId, connectionId: conn.id };
    const [live, cursors] = await Promise.all([
      this.store.sessionLive(sessionId, userId),
      this.claims.submit(route).then((claimed) => (claimed ? this.store.cursorsOf(userId) : null)),
    ]);
    if (cursors === null) {
      // Over the cap: this newest socket is refused; the user's open ones stay. Unbound here, and
      // a lease a presence refresh may have renewed meanwhile is dropped (compare-and-delete).
      if (this.connections.remove(conn)) this.registration?.setConnections(this.connections.authenticatedCount);
      this.releases.submit(route).catch((err: unknown) => this.log.warn({ err, connId: conn.id }, "presence release failed; the lease will expire"));
      this.metrics.socketsOverCap.inc();
      throw new AppError(
        ErrorCode.LimitExceeded,
        `this account already holds ${this.config.maxSocketsPerUser} connections (devices and tabs); close one and reconnect`,
        { limit: this.config.maxSocketsPerUser },
      );
    }
    if (!live) throw new AppError(ErrorCode.Unauthorized, "the session of this token ended (logged out or expired); log in again");
    this.presenceChanges.changed(userId);
    return cursors;
  }

  /** ConnectionHost */
  dispatch(conn: ClientConnection, frame: UserFrame): Promise<void> {
    return this.router.dispatch(conn, frame);
  }

  /** ConnectionHost: the socket closed. */
  async release(conn: ClientConnection): Promise<void> {
    const wasBound = this.connections.remove(conn);
    if (!wasBound || conn.userId === undefined) return;
    this.registration?.setConnections(this.connections.authenticatedCount);
    try {
      // Compare-and-delete: if the user already reconnected elsewhere, that route stays.
      await this.releases.submit({ userId: conn.userId, nodeId: this.nodeId, connectionId: conn.id });
    } catch (err) {
      this.log.warn({ err, connId: conn.id }, "presence release failed; the lease will expire");
    }
    // Offline only if no socket of theirs is left anywhere (checked at the window's end).
    if (!this.connections.hasUser(conn.userId)) this.presenceChanges.changed(conn.userId);
  }

  private async closeAllSockets(reason: string): Promise<void> {
    const all = this.connections.list();
    for (const conn of all) conn.close(CloseCode.NodeShuttingDown, reason);
    await Promise.all(all.map((c) => c.done));
  }

  private async refreshPresence(): Promise<void> {
    // A draining node still serves its remaining sockets: their leases stay fresh.
    if (this.refreshing || (this.phase !== "running" && this.phase !== "draining")) return;
    const routes = this.connections.routes(this.nodeId);
    if (routes.length === 0) return;
    this.refreshing = true;
    try {
      await this.presence.claim(routes, this.config.presenceTtlMs);
    } catch (err) {
      this.log.warn({ err, routes: routes.length }, "presence refresh failed");
    } finally {
      this.refreshing = false;
    }
  }

  // ─────────────────────────── registration & fencing ───────────────────────────

  private adoptRegistration(registration: Registration): void {
    this.registration = registration;
    registration.onLost(() => {
      if (this.registration !== registration || this.stopping) return;
      // A draining node that lost its identity does not come back: it stops now.
      if (this.draining) return void this.stop();
      this.fencing = this.fence();
    });
  }

  /**
   * The registration was lost (session expiry, lease expired, or a newer node took the id):
   * another node may now be handed our users, so stop serving anyone, then register again.
   */
  private async fence(): Promise<void> {
    this.log.error({ epoch: this.registration?.epoch }, "registration lost: fencing (closing all sockets) before re-registering");
    this.phase = "fenced";
    this.accepting = false;
    this.registration = undefined;
    await this.closeAllSockets("node lost its registration");
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        const registration = await this.registry.register(this.info!);
        if (this.stopping || this.draining) {
          await registration.deregister().catch(() => undefined);
          return;
        }
        this.adoptRegistration(registration);
        this.phase = "running";
        this.accepting = true;
        this.log.warn({ epoch: registration.epoch }, "re-registered after fencing; accepting sockets again");
        return;
      } catch (err) {
        const wait = Math.min(10_000, 250 * 2 ** Math.min(attempt, 6));
        this.log.error({ err, attempt, wait }, "re-registration failed; retrying");
        try {
          await sleep(wait, undefined, { signal: this.abort.signal });
        } catch {
          return; // stopping
        }
      }
    }
  }
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}
