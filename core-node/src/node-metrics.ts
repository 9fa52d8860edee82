/**
 * A core node's Prometheus metrics, in its own registry (served by the node's metrics listener,
 * @dim/shared/metrics). Every labelled series is made here, once, for a closed set of values —
 * the protocol's frame types and error codes — so the hot paths only increment a child they
 * already hold, and nothing a client sends becomes a label.
 */
import { CLIENT_FRAME_TYPES, ERROR_CODES, SERVER_FRAME_TYPES, type ErrorCode, type ServerFrame } from "@dim/shared";
import { boundChildren, Counter, createMetricsRegistry, Gauge, Histogram, LATENCY_BUCKETS, type Registry } from "@dim/shared/metrics";

/** Inbound frames that failed to parse (not JSON, unknown type, bad fields, binary) count as this type. */
export const INVALID_FRAME = "invalid";
const FRAME_IN_TYPES = [...CLIENT_FRAME_TYPES, INVALID_FRAME] as const;
type FrameInType = (typeof FRAME_IN_TYPES)[number];

/** Sizes of a group-commit batch (APPEND_BATCH_MAX is 256) and of a sync page. */
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const SYNC_SIZE_BUCKETS = [0, 1, 5, 10, 25, 50, 100, 200, 500];

type Inc = { inc(value?: number): void };

export class NodeMetrics {
  readonly registry: Registry;
  readonly framesIn: Record<FrameInType, Inc>;
  readonly framesOut: Record<ServerFrame["type"], Inc>;
  /** Error frames sent, by code. */
  readonly errors: Record<ErrorCode, Inc>;
  readonly authenticatedConnects: Inc;
  readonly messagesStored: Inc;
  readonly repushes: Inc;
  readonly routeCache: { hit: Inc; miss: Inc };
  readonly syncRequests: Inc;
  private readonly syncSizes: Histogram;
  private readonly appendBatchSizes: Histogram;
  private readonly appendBatchSeconds: Histogram;
  private connectionCounts: () => { authenticated: number; total: number } = () => ({ authenticated: 0, total: 0 });

  constructor(registry: Registry = createMetricsRegistry()) {
    this.registry = registry;
    const registers = [registry];
    const counters = this.counters(registers);
    this.framesIn = boundChildren(counters.framesIn, FRAME_IN_TYPES);
    this.framesOut = boundChildren(counters.framesOut, SERVER_FRAME_TYPES);
    this.errors = boundChildren(counters.errors, ERROR_CODES);
    this.authenticatedConnects = counters.authenticatedConnects;
    this.messagesStored = counters.messagesStored;
    this.repushes = counters.repushes;
    this.routeCache = boundChildren(counters.routeCache, ["hit", "miss"] as const);
    this.syncRequests = counters.syncRequests;
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

  /** The store's AppendBatchObserver (MessageStoreOptions.onAppendBatch). */
  readonly appendBatch = (size: number, seconds: number): void => {
    this.appendBatchSizes.observe(size);
    this.appendBatchSeconds.observe(seconds);
  };

  private counters(registers: Registry[]) {
    return {
      framesIn: new Counter({ name: "dim_node_frames_in_total", help: "Client frames received, by type (invalid: refused by the schema)", labelNames: ["type"], registers }),
      framesOut: new Counter({ name: "dim_node_frames_out_total", help: "Server frames written to sockets, by type", labelNames: ["type"], registers }),
      errors: new Counter({ name: "dim_node_errors_total", help: "Error frames sent to clients, by code", labelNames: ["code"], registers }),
      authenticatedConnects: new Counter({ name: "dim_node_authenticated_connects_total", help: "Sockets that authenticated (welcome sent)", registers }),
      messagesStored: new Counter({ name: "dim_node_messages_stored_total", help: "Messages this node stored (duplicates of a clientMsgId not counted)", registers }),
      repushes: new Counter({ name: "dim_node_repushes_total", help: "Deliveries pushed a second time because no ack came in time", registers }),
      routeCache: new Counter({ name: "dim_node_route_cache_lookups_total", help: "Users looked up for remote fan-out, by route-cache result", labelNames: ["result"], registers }),
      syncRequests: new Counter({ name: "dim_node_sync_requests_total", help: "sync frames answered", registers }),
    };
  }
}
