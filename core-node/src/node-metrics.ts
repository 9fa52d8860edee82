/**
 * A core node's Prometheus metrics, in its own registry (served by the node's metrics listener,
 * @dim/shared/metrics). Every labelled series is made here, once, for a closed set of values —
 * the protocol's frame types and error codes — so nothing a client sends becomes a label; the
 * counters are CounterCells, so counting a frame is one addition (read at scrape time).
 */
import { CLIENT_FRAME_TYPES, ERROR_CODES, SERVER_FRAME_TYPES, type ErrorCode, type ServerFrame } from "@dim/shared";
import {
  cellCounter,
  createMetricsRegistry,
  Gauge,
  Histogram,
  LATENCY_BUCKETS,
  singleCellCounter,
  type CounterCell,
  type Registry,
} from "@dim/shared/metrics";

/** Inbound frames that failed to parse (not JSON, unknown type, bad fields, binary) count as this type. */
export const INVALID_FRAME = "invalid";
const FRAME_IN_TYPES = [...CLIENT_FRAME_TYPES, INVALID_FRAME] as const;
type FrameInType = (typeof FRAME_IN_TYPES)[number];

/** Sizes of a group-commit batch (APPEND_BATCH_MAX is 256) and of a sync page. */
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const SYNC_SIZE_BUCKETS = [0, 1, 5, 10, 25, 50, 100, 200, 500];

export class NodeMetrics {
  readonly registry: Registry;
  readonly framesIn: Record<FrameInType, CounterCell>;
  readonly framesOut: Record<ServerFrame["type"], CounterCell>;
  /** Error frames sent, by code. */
  readonly errors: Record<ErrorCode, CounterCell>;
  readonly authenticatedConnects: CounterCell;
  readonly messagesStored: CounterCell;
  readonly socketsOverCap: CounterCell;
  readonly repushes: CounterCell;
  readonly routeCache: Record<"hit" | "miss", CounterCell>;
  readonly syncRequests: CounterCell;
  /** Web Push requests by outcome; `dropped`: messages whose pushes the full queue refused. */
  readonly pushes: Record<"sent" | "gone" | "failed" | "retried" | "dropped", CounterCell>;
  private readonly syncSizes: Histogram;
  private readonly appendBatchSizes: Histogram;
  private readonly appendBatchSeconds: Histogram;
  private connectionCounts: () => { authenticated: number; total: number } = () => ({ authenticated: 0, total: 0 });

  constructor(registry: Registry = createMetricsRegistry()) {
    this.registry = registry;
    const registers = [registry];
    const by = <V extends string>(name: string, help: string, label: string, values: readonly V[]) =>
      cellCounter({ name, help, registry, label: { name: label, values } });
    const one = (name: string, help: string) => singleCellCounter({ name, help, registry });
    this.framesIn = by("dim_node_frames_in_total", "Client frames received, by type (invalid: refused by the schema, or binary)", "type", FRAME_IN_TYPES);
    this.framesOut = by("dim_node_frames_out_total", "Server frames written to sockets, by type", "type", SERVER_FRAME_TYPES);
    this.errors = by("dim_node_errors_total", "Error frames sent to clients, by code", "code", ERROR_CODES);
    this.authenticatedConnects = one("dim_node_authenticated_connects_total", "Sockets that authenticated (welcome sent)");
    this.messagesStored = one("dim_node_messages_stored_total", "Messages this node stored (duplicates of a clientMsgId not counted)");
    this.socketsOverCap = one("dim_node_sockets_over_cap_total", "Sockets refused at auth because their user held DIM_MAX_SOCKETS_PER_USER already (close 4409)");
    this.repushes = one("dim_node_repushes_total", "Deliveries pushed a second time because no ack came in time");
    this.routeCache = by("dim_node_route_cache_lookups_total", "Users looked up for remote fan-out, by route-cache result", "result", ["hit", "miss"] as const);
    this.syncRequests = one("dim_node_sync_requests_total", "sync frames answered");
    this.pushes = by("dim_node_web_pushes_total", "Web Push requests by outcome (gone: 404/410, subscription removed; dropped: queue full)", "outcome", [
      "sent",
      "gone",
      "failed",
      "retried",
      "dropped",
    ] as const);
    this.syncSizes = new Histogram({ name: "dim_node_sync_batch_messages", help: "Messages in each sync.batch answered", buckets: SYNC_SIZE_BUCKETS, registers });
    this.appendBatchSizes = new Histogram({ name: "dim_store_append_batch_size", help: "Text appends stored by one group-commit statement", buckets: BATCH_SIZE_BUCKETS, registers });
    this.appendBatchSeconds = new Histogram({ name: "dim_store_append_batch_duration_seconds", help: "Time to store one group-commit batch of appends", buckets: LATENCY_BUCKETS, registers });
    const counts = () => this.connectionCounts();
    new Gauge({
      name: "dim_node_connections",
      help: "Sockets held now, by state (pending: opened, not yet welcomed)",
      labelNames: ["state"],
      registers,
      collect() {
        const { authenticated, total } = counts();
        this.set({ state: "authenticated" }, authenticated);
        this.set({ state: "pending" }, total - authenticated);
      },
    });
  }

  /** The node says how to count its sockets (read at each scrape, never per event). */
  watchConnections(counts: () => { authenticated: number; total: number }): void {
    this.connectionCounts = counts;
  }

  /** A sync page answered with `messages` messages. */
  synced(messages: number): void {
    this.syncSizes.observe(messages);
  }

  /** RouteLookupOptions.onLookup: users the cache answered and users looked up in presence. */
  readonly routeLookup = (hits: number, misses: number): void => {
    this.routeCache.hit.inc(hits);
    this.routeCache.miss.inc(misses);
  };

  /** The store's AppendBatchObserver (MessageStoreOptions.onAppendBatch). */
  readonly appendBatch = (size: number, seconds: number): void => {
    this.appendBatchSizes.observe(size);
    this.appendBatchSeconds.observe(seconds);
  };
}
