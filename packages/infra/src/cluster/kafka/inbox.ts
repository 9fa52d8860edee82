/**
 * One node's inbox on Kafka: the consumer of its topic, in its own consumer group, reading from
 * the earliest offset when the group is new. Each partition's records are handed to the handler
 * one at a time, in order; only the offsets of handled records are committed, off the fetch
 * path: at most every `commitIntervalMs` (one OffsetCommit for all partitions, never more than
 * one in flight), and once more when the inbox stops. A consumer that dies mid-way therefore
 * gets the unhandled records — and at most `commitIntervalMs` of handled ones — again
 * (at-least-once); a cache of record ids drops the duplicates this inbox can see.
 */
import type { Consumer, Kafka } from "kafkajs";
import type { Logger } from "@dim/shared/node";
import { sleep } from "@dim/shared/async";
import type { BusHandler } from "../../types";
import type { KafkaBusCounters, KafkaSettings } from "./options";
import { groupFor, topicFor } from "./topics";

/** The record header carrying a publish's id (duplicates are dropped by it). */
export const ID_HEADER = "dim-id";
const DEDUPE_CAPACITY = 20_000;
const STOP_COMMIT_TIMEOUT_MS = 5_000;

type InboxSettings = Pick<KafkaSettings, "partitions" | "sessionTimeoutMs" | "fetchMaxWaitMs" | "commitIntervalMs" | "handlerAttempts">;

interface ConsumedRecord {
  offset: string;
  value: Buffer | null;
  headers?: Record<string, unknown>;
}

export class KafkaInbox {
  private readonly topic: string;
  private consumer: Consumer | undefined;
  private readonly seen = new Map<string, true>();
  /** Per partition, the offset after the last handled record, not yet committed. */
  private readonly handled = new Map<number, string>();
  private commitTimer: NodeJS.Timeout | undefined;
  /** The commit in flight (one at a time), or the settled last one. */
  private committing: Promise<void> = Promise.resolve();
  /** Handler calls in progress (a stop waits for them, then commits their offsets). */
  private readonly active = new Set<Promise<void>>();
  /** Per partition, records after the last handled one up to the high watermark of its batch. */
  private readonly lagByPartition = new Map<number, number>();
  /** Set when the inbox stops: no further record is handled, no consumer replaced. */
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly kafka: Kafka,
    readonly nodeId: string,
    private readonly handler: BusHandler,
    private readonly settings: InboxSettings,
    private readonly counters: KafkaBusCounters,
    private readonly log: Logger,
  ) {
    this.topic = topicFor(nodeId);
  }

  /** Joins the group and starts handing records to the handler. */
  async start(): Promise<void> {
    const { sessionTimeoutMs, fetchMaxWaitMs, partitions } = this.settings;
    const consumer = this.kafka.consumer({
      groupId: groupFor(this.nodeId),
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 5)),
      rebalanceTimeout: Math.max(sessionTimeoutMs, 10_000),
      // minBytes 1 (kafkajs's default): a fetch returns as soon as one record is there
      maxWaitTimeInMs: fetchMaxWaitMs,
      // no transactions are ever written to node topics: read up to the high watermark
      readUncommitted: true,
      allowAutoTopicCreation: false,
      // Reconnects at most 2 s apart: a broker that is back is found within 2 s (kafka-kill9 in
      // docs/reliability.md); a retry against a dead broker is one failed TCP connect.
      retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 10 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (e) => {
      const { error, restart } = e.payload as { error: Error; restart: boolean };
      if (restart) {
        this.log.warn({ err: error }, "consumer crashed; kafkajs restarts it");
      } else {
        this.log.error({ err: error }, "consumer crashed and kafkajs gave up; starting a new consumer");
        void this.replace(consumer);
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    // kafkajs's autoCommit would await one OffsetCommit after every partition batch before the
    // next fetch (a broker round trip added to the next record's latency, and a commit per record
    // when records come one at a time): handled offsets are committed by scheduleCommit instead.
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, Math.min(partitions, 8)),
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (batch.messages.length > 0) this.counters.consumedBatches += 1;
        for (const record of batch.messages) {
          if (!isRunning() || isStale() || this.stopping) return;
          const handling = this.handle(record, batch.partition);
          this.active.add(handling);
          try {
            await handling;
          } finally {
            this.active.delete(handling);
          }
          resolveOffset(record.offset);
          const next = BigInt(record.offset) + 1n;
          this.handled.set(batch.partition, next.toString());
          // From the fetch's own answer (no admin round trip): cheap enough to keep per record.
          this.lagByPartition.set(batch.partition, Number(BigInt(batch.highWatermark) - next));
          this.scheduleCommit();
          await heartbeat();
        }
      },
    });
  }

  /** Records not yet handled up to the high watermarks last fetched, over all partitions (Bus.consumerLag). */
  lag(): number {
    let sum = 0;
    for (const n of this.lagByPartition.values()) sum += Math.max(0, n);
    return sum;
  }

  /**
   * Stops the consumer: no new record is handled, the handlers in progress finish, their
   * offsets are committed (while the consumer is still a group member), then it disconnects.
   * Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearTimeout(this.commitTimer);
      this.commitTimer = undefined;
      await Promise.allSettled([...this.active]);
      // bounded: with the broker away, kafkajs would retry the commit for half a minute
      let timer: NodeJS.Timeout | undefined;
      const committed = await Promise.race([
        this.commitHandled(),
        new Promise<false>((r) => (timer = setTimeout(() => r(false), STOP_COMMIT_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
      if (!committed) this.log.warn({ offsets: Object.fromEntries(this.handled) }, "last handled offsets not committed at stop; the next consumer handles them again");
      await this.consumer?.disconnect().catch((err: unknown) => this.log.warn({ err }, "consumer disconnect failed"));
    })();
    return this.stopping;
  }

  private async handle(record: ConsumedRecord, partition: number): Promise<void> {
    const log = this.log;
    const idHeader = record.headers?.[ID_HEADER];
    const id = idHeader === undefined ? undefined : String(idHeader);
    if (id && this.seen.has(id)) {
      this.counters.duplicatesDropped += 1;
      log.debug({ partition, offset: record.offset }, "duplicate record dropped");
      return;
    }
    if (!record.value) {
      log.error({ partition, offset: record.offset }, "empty bus record skipped");
      return;
    }
    const payload = record.value.toString("utf8");
    for (let attempt = 1; ; attempt++) {
      try {
        await this.handler(payload);
        break;
      } catch (err) {
        if (attempt >= this.settings.handlerAttempts) {
          // PostgreSQL holds the message: leaving the doorbell unanswered means "left for sync"
          log.error({ err, partition, offset: record.offset, attempt }, "bus handler failed; record left for sync");
          break;
        }
        log.warn({ err, partition, offset: record.offset, attempt }, "bus handler failed; retrying");
        await sleep(100 * attempt);
      }
    }
    this.counters.consumed += 1;
    if (id) {
      this.seen.set(id, true);
      if (this.seen.size > DEDUPE_CAPACITY) this.seen.delete(this.seen.keys().next().value as string);
    }
  }

  /** A commit of the handled offsets within commitIntervalMs, unless one is already scheduled. */
  private scheduleCommit(): void {
    if (this.commitTimer || this.stopping) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      void this.commitHandled().then((ok) => {
        if (!ok && this.handled.size > 0) this.scheduleCommit();
      });
    }, this.settings.commitIntervalMs);
    this.commitTimer.unref();
  }

  /**
   * Commits the handled offsets (after any commit in flight). Offsets a failed commit carried go
   * back unless a later record of the partition was handled meanwhile. Resolves false on failure.
   */
  private commitHandled(): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      const consumer = this.consumer;
      if (this.handled.size === 0 || !consumer) return true;
      const offsets = [...this.handled].map(([partition, offset]) => ({ topic: this.topic, partition, offset }));
      this.handled.clear();
      try {
        await consumer.commitOffsets(offsets);
        this.counters.commits += 1;
        return true;
      } catch (err) {
        for (const o of offsets) if (!this.handled.has(o.partition)) this.handled.set(o.partition, o.offset);
        this.log.warn({ err, offsets }, "offset commit failed; the handled offsets are committed later");
        return false;
      }
    };
    const result = this.committing.then(run, run);
    this.committing = result.then(() => undefined);
    return result;
  }

  /** A consumer kafkajs will not restart is replaced, for as long as the inbox is not stopped. */
  private async replace(crashed: Consumer): Promise<void> {
    if (this.consumer !== crashed) return;
    await crashed.disconnect().catch(() => undefined);
    for (let attempt = 1; !this.stopping && this.consumer === crashed; attempt++) {
      // At most 2 s apart (not 10): cross-node delivery waits for this loop once the broker is back.
      await sleep(Math.min(500 * attempt, 2_000));
      if (this.stopping) return;
      try {
        await this.start();
        this.log.info("consumer replaced");
        return;
      } catch (err) {
        this.log.warn({ err, attempt }, "could not start a new consumer; retrying");
        const failed = this.consumer;
        await failed?.disconnect().catch(() => undefined);
        this.consumer = crashed; // keep the loop going
      }
    }
  }
}
