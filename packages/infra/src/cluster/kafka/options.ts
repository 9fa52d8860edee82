/**
 * The Kafka bus's options, their defaults, its counters, and the kafkajs client they configure
 * (its logs go to our pino logger).
 */
import { Kafka, logLevel as KafkaLogLevel, type LogEntry } from "kafkajs";
import { AppError, ErrorCode } from "@dim/shared";
import type { Logger } from "@dim/shared/node";

export interface KafkaBusOptions {
  brokers: string[];
  /** Partitions of each node topic (DIM_KAFKA_PARTITIONS). */
  partitions: number;
  /** Wanted replication factor (DIM_KAFKA_REPLICATION), capped at the number of brokers. */
  replication: number;
  logger: Logger;
  clientId?: string;
  /**
   * How long a publish may wait for others to share its batch. Default 0: the publishes of the
   * same event-loop turn, plus whatever queued while the previous batch was in flight.
   */
  lingerMs?: number;
  /** Largest batch (default 500 records). */
  maxBatchRecords?: number;
  /** A publish not acknowledged within this time is rejected (default 30 s). */
  publishTimeoutMs?: number;
  /** Publishes waiting beyond this many are rejected at once (default 100 000). */
  maxQueuedRecords?: number;
  /** Consumer group session timeout: how fast a dead consumer's partitions are re-assigned (default 10 s). */
  sessionTimeoutMs?: number;
  /** Retention of node topics (default 24 h): records are doorbells, PostgreSQL keeps the messages. */
  retentionMs?: number;
  /** Handler attempts per record before it is left for sync (default 3). */
  handlerAttempts?: number;
  /**
   * Handled offsets are committed at most this often (default 250 ms), in the background. It
   * bounds what a crashed consumer's successor handles twice.
   */
  commitIntervalMs?: number;
  /** Longest time the broker holds a fetch that has no record for us (default 1 s; idle cost only). */
  fetchMaxWaitMs?: number;
}

/** The options with every default filled in (what the topics, inboxes and publisher read). */
export type KafkaSettings = Required<Omit<KafkaBusOptions, "logger" | "brokers" | "clientId">>;

export function kafkaSettings(options: KafkaBusOptions): KafkaSettings {
  return {
    partitions: options.partitions,
    replication: options.replication,
    lingerMs: options.lingerMs ?? 0,
    maxBatchRecords: options.maxBatchRecords ?? 500,
    publishTimeoutMs: options.publishTimeoutMs ?? 30_000,
    maxQueuedRecords: options.maxQueuedRecords ?? 100_000,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
    retentionMs: options.retentionMs ?? 24 * 3600_000,
    handlerAttempts: options.handlerAttempts ?? 3,
    commitIntervalMs: options.commitIntervalMs ?? 250,
    fetchMaxWaitMs: options.fetchMaxWaitMs ?? 1_000,
  };
}

/** Counters since start: publishes, acknowledged batches and records, handled records, fetched partition batches, offset commits, duplicates. */
export interface KafkaBusCounters {
  publishes: number;
  batches: number;
  records: number;
  consumed: number;
  consumedBatches: number;
  commits: number;
  duplicatesDropped: number;
}

export const newCounters = (): KafkaBusCounters => ({ publishes: 0, batches: 0, records: 0, consumed: 0, consumedBatches: 0, commits: 0, duplicatesDropped: 0 });

export function createKafkaClient(options: KafkaBusOptions): Kafka {
  if (options.brokers.length === 0) throw new AppError(ErrorCode.InvalidConfig, "Kafka needs at least one broker");
  return new Kafka({
    clientId: options.clientId ?? "dim",
    brokers: options.brokers,
    logLevel: KafkaLogLevel.WARN,
    logCreator: kafkaLogCreator(options.logger),
    connectionTimeout: 3_000,
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 10 },
  });
}

function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _t, logger: _l, ...extra } = log as LogEntry["log"] & { logger?: string };
      const text = `kafkajs ${namespace}: ${message}`;
      // our producer bounds its retries on purpose (see publisher.ts): not worth a warning
      if (message.startsWith("Limiting retries for the idempotent producer")) logger.debug(extra, text);
      else if (level === KafkaLogLevel.ERROR || level === KafkaLogLevel.WARN) logger.warn(extra, text);
      else if (level === KafkaLogLevel.INFO) logger.debug(extra, text);
      else logger.trace(extra, text);
    };
}
