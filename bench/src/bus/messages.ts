/** IPC between the Kafka bus latency bench (bus-latency.ts) and its two peer processes (peer.ts). */
import type { KafkaBusOptions } from "../../../packages/infra/src/cluster/kafka/index";

/**
 * KafkaBus options a variant may override (everything but the wiring); `module`: a file (from the
 * repository root) exporting another KafkaBus to run instead, for an A/B against another version.
 */
export type BusVariantOptions = Partial<Omit<KafkaBusOptions, "brokers" | "logger" | "partitions" | "replication">> & { module?: string };

export type BusToPeer =
  | { cmd: "start"; brokers: string[]; nodeId: string; peerId: string; partitions: number; busOptions: BusVariantOptions }
  | { cmd: "step"; step: number; ratePerSec: number; warmupMs: number; durationMs: number; drainMs: number; conversations: number }
  | { cmd: "stop"; nodeId: string; removeInbox: boolean };

export interface BusStepResult {
  step: number;
  /** Envelopes this peer published in the measured window. */
  sent: number;
  /** Measured envelopes of the other peer this one handled. */
  received: number;
  /** Publishes rejected. */
  failed: number;
  /** Encoded HDR histograms (µs): scheduled → handled on the other peer; scheduled → publish() resolved. */
  deliver: string;
  publish: string;
  cpuSeconds: number;
  /** Acknowledged producer sendBatch calls / non-empty partition batches handed to the consumer, during the step (warm-up included). */
  produceBatches: number;
  consumedBatches: number;
}

export type BusFromPeer = { ev: "ready" } | { ev: "step"; result: BusStepResult } | { ev: "stopped" } | { ev: "error"; message: string };
