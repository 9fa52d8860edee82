/**
 * The small seams between DIM and its infrastructure. Each has an embedded implementation
 * (PostgreSQL-backed, for `npm run dev` and the default tests) and a real one (Kafka, ZooKeeper,
 * Redis) for cluster mode. Both are real implementations of the same contract.
 */
// ───────────────────────────── bus ─────────────────────────────

/**
 * Receives one record's payload, as published. Its promise resolving means the record was
 * handled (handed to sockets, or left for sync); only then may the bus commit it.
 */
export type BusHandler = (payload: string) => Promise<void>;

/**
 * Node-to-node records: `(key, payload)`. The bus never looks inside a payload (the envelopes
 * and their keys are @dim/shared's node protocol); it keeps records with the same key in publish
 * order per target node, as a Kafka partition does.
 */
export interface Bus {
  /** Starts consuming this node's own inbox (its Kafka topic, or its embedded channel). */
  subscribe(nodeId: string, handler: BusHandler): Promise<void>;
  /**
   * Sends to another node's inbox. Resolves once the bus accepted it (Kafka: acks=all; the
   * embedded buses: handed to PostgreSQL / the hub). A bad key or payload is BAD_REQUEST.
   */
  publish(targetNodeId: string, key: string, payload: string): Promise<void>;
  /**
   * Called when a node leaves for good (graceful stop): drop or keep its inbox, as documented
   * by the implementation. Idempotent.
   */
  removeInbox?(nodeId: string): Promise<void>;
  /**
   * Readiness (GET /readyz): resolves once the backend answered one round trip, rejects when it
   * cannot be reached. Absent on the in-process bus (nothing to reach).
   */
  ping?(): Promise<void>;
  /**
   * Records in this node's inbox published but not yet handled, as of the last batch fetched
   * (Kafka: high watermark minus the next offset, summed over partitions; metrics). Absent where
   * the bus has no backlog to measure (the embedded buses hand records over as they come).
   */
  consumerLag?(nodeId: string): number | undefined;
  /** Idempotent. Stops consuming and closes connections. */
  close(): Promise<void>;
}

// ───────────────────────────── registry ─────────────────────────────

/** Chat messages per second through a node, as it last measured them (the admin page's nodes table). */
export interface MessageRates {
  /** `send` frames its clients wrote. */
  inPerSec: number;
  /** Messages it pushed to its clients' sockets (live pushes and re-pushes; not sync pages). */
  outPerSec: number;
}

export interface NodeInfo {
  nodeId: string;
  host: string;
  wsPort: number;
  httpPort: number;
  /** Where clients connect, e.g. ws://127.0.0.1:7001/ws */
  wsUrl: string;
  startedAt: string;
  /** Increases at every (re-)registration; fences a node that lost its identity. */
  epoch: number;
  /** Authenticated connections, as last reported by the node. */
  connections: number;
  /** As last reported by the node (0 until its first report). Every registry fills it; optional for hand-made NodeInfo. */
  messageRates?: MessageRates;
  /**
   * The node is draining (moving its clients away before it stops): still live — peers keep
   * fanning out to it and routing to its remaining sockets — but `nodes.assign` never picks it.
   */
  draining?: boolean;
}

export interface Registration {
  readonly epoch: number;
  /** Reports the node's load (for least-connections assignment). Cheap; may be coalesced. */
  setConnections(count: number): void;
  /** Reports its message rates (a sample every few seconds); coalesced with the load reports. */
  setMessageRates(rates: MessageRates): void;
  /**
   * Marks the node draining in the live set, at once (not rate-limited): resolves once readers
   * (the gateway) can see it. Idempotent; there is no way back (a drained node stops).
   */
  setDraining(): Promise<void>;
  /**
   * Called when the registration is lost (ZooKeeper session expiry, or an embedded lease that
   * expired): the node must stop taking work; it may then register again with a new epoch.
   */
  onLost(listener: () => void): void;
  /** Idempotent: removes the node from the live set. */
  deregister(): Promise<void>;
}

export interface Registry {
  /** Node side: join the live set. */
  register(info: Omit<NodeInfo, "epoch" | "connections">): Promise<Registration>;
  /** Gateway side: the nodes that are live now. */
  liveNodes(): Promise<NodeInfo[]>;
  /** Idempotent. */
  close(): Promise<void>;
}

// ───────────────────────────── presence ─────────────────────────────

/** One connection of a user, on a node. A user may have several (devices, tabs). */
export interface Route {
  userId: string;
  nodeId: string;
  connectionId: string;
}

export interface Presence {
  /** Creates or renews the leases of these connections for ttlMs. */
  claim(routes: Route[], ttlMs: number): Promise<void>;
  /**
   * The per-user socket cap: claims each new connection's lease only if its user then holds
   * fewer than `maxPerUser` live leases (all nodes; a lease of the same connection is a renewal
   * and does not count against it; routes granted earlier in the same call do). Atomic per user
   * across processes (a Lua script in Redis, a per-user advisory lock in PostgreSQL). Returns,
   * per route and in order, whether it was claimed; a refused route changes nothing. Leases of
   * a crashed node stop counting when they expire. A bad route or limit is BAD_REQUEST.
   */
  claimCapped(routes: Route[], maxPerUser: number, ttlMs: number): Promise<boolean[]>;
  /**
   * Removes each lease only if it still belongs to its route's nodeId (compare-and-delete), so a
   * stale node never removes a route another node holds now. Many at once: a mass disconnect.
   */
  release(routes: Route[]): Promise<void>;
  /** Live routes of these users (expired leases are not returned). */
  routesOf(userIds: string[]): Promise<Route[]>;
  /** Readiness: one round trip to the backend (Redis, PostgreSQL). Absent in memory. */
  ping?(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

// ───────────────────────────── rates ─────────────────────────────

/** One limit: `capacity` calls at once, refilled evenly over `windowMs` (a token every windowMs/capacity). */
export interface RateLimit {
  capacity: number;
  windowMs: number;
}

export type RateTake = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * Token buckets shared by every process of a deployment (the gateway's throttles): one bucket
 * per (name, key), e.g. ("login-ip", "203.0.113.7"). A bucket that was never touched, or is full
 * again, is not stored. Time is the backend's clock (PostgreSQL's now(), Redis's TIME), so
 * processes with skewed clocks agree. A bad name or limit is BAD_REQUEST.
 */
export interface RateStore {
  /** Takes one token, atomically across processes; a refused take takes nothing. */
  take(name: string, key: string, limit: RateLimit): Promise<RateTake>;
  /** Milliseconds until one token is available (0 when one is available now). Takes nothing. */
  check(name: string, key: string, limit: RateLimit): Promise<number>;
  /** Forgets the bucket (it is full again). */
  reset(name: string, key: string): Promise<void>;
  /** Deletes the buckets that are full again; returns how many. Also runs periodically where needed. */
  prune(): Promise<number>;
  /** Idempotent. */
  close(): Promise<void>;
}

// ───────────────────────────── together ─────────────────────────────

/** The seams as one process uses them, from `createInfra` (or `createClusterInfra`). */
export interface Infra {
  bus: Bus;
  registry: Registry;
  presence: Presence;
  rates: RateStore;
  /** Idempotent. Closes the four and the connections they share. */
  close(): Promise<void>;
}
