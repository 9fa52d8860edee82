/**
 * Bus on Kafka (kafkajs 2.2.4).
 *
 * - One topic per node, `dim.node.<nodeId>`, created by the node when it subscribes, with the
 *   configured partitions and a replication factor capped at the number of brokers. One consumer
 *   group per node (`dim.node.<nodeId>`), reading from the earliest offset when the group is new.
 * - Records are keyed by conversationId (Kafka's murmur2 partitioner), so one conversation stays on
 *   one partition and in order.
 * - Publishing is micro-batched at the application level: the publishes of one event-loop turn
 *   (or of `lingerMs`, when set) are sent with ONE producer.sendBatch (acks = all, idempotent
 *   producer). Each publish() resolves when its batch was acknowledged. One batch is in flight at a
 *   time, so records keep their order across batches and retries; under load the batches simply
 *   grow while the previous one is in flight (natural batching: no added wait when idle).
 * - Consuming: each partition's records are handed to the handler one at a time, in order. Only
 *   the offsets of handled records are committed, off the fetch path: at most every
 *   `commitIntervalMs` (one OffsetCommit for all partitions, never more than one in flight), and
 *   once more when the consumer stops. A consumer that dies mid-way therefore gets the unhandled
 *   records — and at most `commitIntervalMs` of handled ones — again (at-least-once); a
 *   per-process cache of record ids drops the duplicates it can see.
 * - removeInbox() — called by a core node's graceful stop — deletes the node's topic and consumer
 *   group (see docs/cluster.md). A killed node leaves both behind; the same node id recreates or
 *   reuses them when it starts again. Publishing to a node without a topic fails at once with
 *   NOT_FOUND (the message is stored; sync delivers it).
 */
import { randomUUID } from "node:crypto";
import {
  Kafka,
  Partitioners,
  logLevel as KafkaLogLevel,
  type Admin,
  type Consumer,
  type LogEntry,
  type Producer,
  type Message as KafkaMessage,
} from "kafkajs";
import { AppError, ErrorCode } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import type { Bus, BusEnvelope, BusHandler } from "../types";
import { envelopeKey, isBusEnvelope } from "../bus-envelope";
import { sleep } from "@dim/shared/async";

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

export const TOPIC_PREFIX = "dim.node.";
const NODE_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
const ID_HEADER = "dim-id";
const DEDUPE_CAPACITY = 20_000;
const STOP_COMMIT_TIMEOUT_MS = 5_000;

export function topicFor(nodeId: string): string {
  return `${TOPIC_PREFIX}${nodeId}`;
}
export function groupFor(nodeId: string): string {
  return `${TOPIC_PREFIX}${nodeId}`;
}

function assertNodeId(nodeId: string): void {
  if (!NODE_ID_RE.test(nodeId)) throw new AppError(ErrorCode.BadRequest, "nodeId must be 1..64 characters of A-Z a-z 0-9 . _ -");
}

interface Pending {
  topic: string;
  message: KafkaMessage;
  deadline: number;
  settled: boolean;
  resolve(): void;
  reject(err: Error): void;
}

interface Inbox {
  nodeId: string;
  consumer: Consumer | undefined;
  seen: Map<string, true>;
  log: Logger;
  /** Per partition, the offset after the last handled record, not yet committed. */
  handled: Map<number, string>;
  commitTimer: NodeJS.Timeout | undefined;
  /** The commit in flight (one at a time), or the settled last one. */
  committing: Promise<void>;
  /** Handler calls in progress (a stop waits for them, then commits their offsets). */
  active: Set<Promise<void>>;
  /** Set when the consumer stops: no further record is handled. */
  draining: boolean;
}


function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _t, logger: _l, ...extra } = log as LogEntry["log"] & { logger?: string };
      const text = `kafkajs ${namespace}: ${message}`;
      // our producer bounds its retries on purpose (see getProducer): not worth a warning
      if (message.startsWith("Limiting retries for the idempotent producer")) logger.debug(extra, text);
      else if (level === KafkaLogLevel.ERROR || level === KafkaLogLevel.WARN) logger.warn(extra, text);
      else if (level === KafkaLogLevel.INFO) logger.debug(extra, text);
      else logger.trace(extra, text);
    };
}

export class KafkaBus implements Bus {
  private readonly kafka: Kafka;
  private readonly log: Logger;
  private readonly opts: Required<Omit<KafkaBusOptions, "logger" | "brokers" | "clientId">>;
  private admin: Promise<Admin> | undefined;
  private producer: Promise<Producer> | undefined;
  private readonly inboxes = new Map<string, Inbox>();
  private readonly knownTopics = new Set<string>();
  private queue: Pending[] = [];
  /** The scheduled start of the next batch (a timer, or an immediate when lingerMs is 0). */
  private linger: { cancel(): void } | undefined;
  private pumping: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private readonly counters = { publishes: 0, batches: 0, records: 0, consumed: 0, consumedBatches: 0, commits: 0, duplicatesDropped: 0 };

  constructor(options: KafkaBusOptions) {
    if (options.brokers.length === 0) throw new AppError(ErrorCode.InvalidConfig, "Kafka needs at least one broker");
    this.log = options.logger;
    this.opts = {
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
    this.kafka = new Kafka({
      clientId: options.clientId ?? "dim",
      brokers: options.brokers,
      logLevel: KafkaLogLevel.WARN,
      logCreator: kafkaLogCreator(this.log),
      connectionTimeout: 3_000,
      retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 10 },
    });
  }

  // ───────────────────────────── admin / topics ─────────────────────────────

  private getAdmin(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((err: unknown) => {
      this.admin = undefined;
      throw err;
    });
    return this.admin;
  }

  /** Creates the node's topic if missing; returns the replication factor used. */
  async ensureTopic(nodeId: string): Promise<{ created: boolean; replication: number }> {
    const admin = await this.getAdmin();
    const topic = topicFor(nodeId);
    const { brokers } = await admin.describeCluster();
    const replication = Math.max(1, Math.min(this.opts.replication, brokers.length));
    if (replication < this.opts.replication) {
      this.log.warn({ topic, wanted: this.opts.replication, brokers: brokers.length }, "replication factor capped at the number of brokers");
    }
    // Right after a creation (several nodes creating their topics at once) the broker may answer
    // the leader wait's metadata request with UNKNOWN_TOPIC_OR_PARTITION, which kafkajs does not
    // retry there: retry retriable errors ourselves (a retry finds the topic existing and waits
    // until its metadata is there).
    let created = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const createdNow = await admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic,
              numPartitions: this.opts.partitions,
              replicationFactor: replication,
              configEntries: [
                { name: "retention.ms", value: String(this.opts.retentionMs) },
                { name: "min.insync.replicas", value: String(Math.max(1, replication - 1)) },
              ],
            },
          ],
        });
        created ||= createdNow;
        if (!createdNow) {
          const meta = await admin.fetchTopicMetadata({ topics: [topic] });
          const count = meta.topics[0]?.partitions.length ?? 0;
          if (!created && count !== this.opts.partitions) {
            this.log.warn({ topic, partitions: count, configured: this.opts.partitions }, "existing node topic keeps its partition count");
          }
        }
        break;
      } catch (err) {
        if (!(err as { retriable?: boolean }).retriable || attempt >= 10) throw err;
        this.log.debug({ err, topic, attempt }, "topic not ready yet; retrying");
        await sleep(100 * attempt);
      }
    }
    this.knownTopics.add(topic);
    this.log.info({ topic, created, partitions: this.opts.partitions, replication }, created ? "node topic created" : "node topic exists");
    return { created, replication };
  }

  /** Topics of these publishes that do not exist; `recheck` forgets cached ones first. Errors → none. */
  private async missingTopics(publishes: Pending[], recheck: boolean): Promise<Set<string>> {
    const missing = new Set<string>();
    for (const topic of new Set(publishes.map((p) => p.topic))) {
      if (recheck) this.knownTopics.delete(topic);
      if (!(await this.topicExists(topic).catch(() => true))) missing.add(topic);
    }
    return missing;
  }

  private async topicExists(topic: string): Promise<boolean> {
    if (this.knownTopics.has(topic)) return true;
    const admin = await this.getAdmin();
    const topics = await admin.listTopics();
    if (topics.includes(topic)) {
      this.knownTopics.add(topic);
      return true;
    }
    return false;
  }

  // ───────────────────────────── consuming ─────────────────────────────

  async subscribe(nodeId: string, handler: BusHandler): Promise<void> {
    this.assertOpen();
    assertNodeId(nodeId);
    if (this.inboxes.has(nodeId)) throw new AppError(ErrorCode.Conflict, `already subscribed to node '${nodeId}'`);
    await this.ensureTopic(nodeId);
    const log = this.log.child({ nodeId, topic: topicFor(nodeId) });
    const inbox: Inbox = { nodeId, consumer: undefined, seen: new Map(), log, handled: new Map(), commitTimer: undefined, committing: Promise.resolve(), active: new Set(), draining: false };
    this.inboxes.set(nodeId, inbox);
    try {
      await this.startConsumer(inbox, handler, log);
    } catch (err) {
      this.inboxes.delete(nodeId);
      await this.stopConsumer(inbox);
      throw err;
    }
    log.info("consuming node topic");
  }

  private async startConsumer(inbox: Inbox, handler: BusHandler, log: Logger): Promise<void> {
    const topic = topicFor(inbox.nodeId);
    const consumer = this.kafka.consumer({
      groupId: groupFor(inbox.nodeId),
      sessionTimeout: this.opts.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(this.opts.sessionTimeoutMs / 5)),
      rebalanceTimeout: Math.max(this.opts.sessionTimeoutMs, 10_000),
      // minBytes 1 (kafkajs's default): a fetch returns as soon as one record is there
      maxWaitTimeInMs: this.opts.fetchMaxWaitMs,
      // no transactions are ever written to node topics: read up to the high watermark
      readUncommitted: true,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 10 },
    });
    inbox.consumer = consumer;
    consumer.on(consumer.events.CRASH, (e) => {
      const { error, restart } = e.payload as { error: Error; restart: boolean };
      if (restart) {
        log.warn({ err: error }, "consumer crashed; kafkajs restarts it");
      } else {
        log.error({ err: error }, "consumer crashed and kafkajs gave up; starting a new consumer");
        void this.replaceConsumer(inbox, consumer, handler, log);
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    // kafkajs's autoCommit would await one OffsetCommit after every partition batch before the
    // next fetch (a broker round trip added to the next record's latency, and a commit per record
    // when records come one at a time): handled offsets are committed by scheduleCommit instead.
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, Math.min(this.opts.partitions, 8)),
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (batch.messages.length > 0) this.counters.consumedBatches += 1;
        for (const record of batch.messages) {
          if (!isRunning() || isStale() || inbox.draining) return;
          const handling = this.handleRecord(inbox, handler, record, batch.partition, log);
          inbox.active.add(handling);
          try {
            await handling;
          } finally {
            inbox.active.delete(handling);
          }
          resolveOffset(record.offset);
          inbox.handled.set(batch.partition, (BigInt(record.offset) + 1n).toString());
          this.scheduleCommit(inbox, log);
          await heartbeat();
        }
      },
    });
  }

  /** A commit of the handled offsets within commitIntervalMs, unless one is already scheduled. */
  private scheduleCommit(inbox: Inbox, log: Logger): void {
    if (inbox.commitTimer || inbox.draining) return;
    inbox.commitTimer = setTimeout(() => {
      inbox.commitTimer = undefined;
      void this.commitHandled(inbox, log).then((ok) => {
        if (!ok && inbox.handled.size > 0) this.scheduleCommit(inbox, log);
      });
    }, this.opts.commitIntervalMs);
    inbox.commitTimer.unref();
  }

  /**
   * Commits the handled offsets (after any commit in flight). Offsets a failed commit carried go
   * back unless a later record of the partition was handled meanwhile. Resolves false on failure.
   */
  private commitHandled(inbox: Inbox, log: Logger): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      const consumer = inbox.consumer;
      if (inbox.handled.size === 0 || !consumer) return true;
      const topic = topicFor(inbox.nodeId);
      const offsets = [...inbox.handled].map(([partition, offset]) => ({ topic, partition, offset }));
      inbox.handled.clear();
      try {
        await consumer.commitOffsets(offsets);
        this.counters.commits += 1;
        return true;
      } catch (err) {
        for (const o of offsets) if (!inbox.handled.has(o.partition)) inbox.handled.set(o.partition, o.offset);
        log.warn({ err, offsets }, "offset commit failed; the handled offsets are committed later");
        return false;
      }
    };
    const result = inbox.committing.then(run, run);
    inbox.committing = result.then(() => undefined);
    return result;
  }

  /**
   * Stops an inbox's consumer: no new record is handled, the handlers in progress finish, their
   * offsets are committed (while the consumer is still a group member), then it disconnects.
   */
  private async stopConsumer(inbox: Inbox): Promise<void> {
    inbox.draining = true;
    clearTimeout(inbox.commitTimer);
    inbox.commitTimer = undefined;
    await Promise.allSettled([...inbox.active]);
    // bounded: with the broker away, kafkajs would retry the commit for half a minute
    let timer: NodeJS.Timeout | undefined;
    const committed = await Promise.race([
      this.commitHandled(inbox, inbox.log),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), STOP_COMMIT_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (!committed) inbox.log.warn({ offsets: Object.fromEntries(inbox.handled) }, "last handled offsets not committed at stop; the next consumer handles them again");
    await inbox.consumer?.disconnect().catch((err: unknown) => inbox.log.warn({ err }, "consumer disconnect failed"));
  }

  /** A consumer kafkajs will not restart is replaced, for as long as the inbox is wanted. */
  private async replaceConsumer(inbox: Inbox, crashed: Consumer, handler: BusHandler, log: Logger): Promise<void> {
    if (inbox.consumer !== crashed) return;
    await crashed.disconnect().catch(() => undefined);
    for (let attempt = 1; !this.closing && this.inboxes.get(inbox.nodeId) === inbox && inbox.consumer === crashed; attempt++) {
      await sleep(Math.min(1_000 * attempt, 10_000));
      if (this.closing || this.inboxes.get(inbox.nodeId) !== inbox) return;
      try {
        await this.startConsumer(inbox, handler, log);
        log.info("consumer replaced");
        return;
      } catch (err) {
        log.warn({ err, attempt }, "could not start a new consumer; retrying");
        const failed = inbox.consumer;
        await failed?.disconnect().catch(() => undefined);
        inbox.consumer = crashed; // keep the loop going
      }
    }
  }

  private async handleRecord(
    inbox: Inbox,
    handler: BusHandler,
    record: { offset: string; value: Buffer | null; headers?: Record<string, unknown> },
    partition: number,
    log: Logger,
  ): Promise<void> {
    const idHeader = record.headers?.[ID_HEADER];
    const id = idHeader === undefined ? undefined : String(idHeader);
    if (id && inbox.seen.has(id)) {
      this.counters.duplicatesDropped += 1;
      log.debug({ partition, offset: record.offset }, "duplicate record dropped");
      return;
    }
    let envelope: BusEnvelope;
    try {
      envelope = parseEnvelope(record.value);
    } catch (err) {
      log.error({ err, partition, offset: record.offset }, "malformed bus record skipped");
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await handler(envelope);
        break;
      } catch (err) {
        if (attempt >= this.opts.handlerAttempts) {
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
      inbox.seen.set(id, true);
      if (inbox.seen.size > DEDUPE_CAPACITY) inbox.seen.delete(inbox.seen.keys().next().value as string);
    }
  }

  // ───────────────────────────── publishing ─────────────────────────────

  private getProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        // a few quick retries here (≈ 3 s); past them sendBatch() re-checks the targets and retries
        // with a fresh producer until the publish deadline
        retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 5 },
      });
      await producer.connect();
      return producer;
    })().catch((err: unknown) => {
      this.producer = undefined;
      throw err;
    });
    return this.producer;
  }

  publish(targetNodeId: string, envelope: BusEnvelope): Promise<void> {
    try {
      this.assertOpen();
      assertNodeId(targetNodeId);
      if (!isBusEnvelope(envelope)) throw new AppError(ErrorCode.BadRequest, "not a bus envelope");
      if (this.queue.length >= this.opts.maxQueuedRecords) {
        throw new AppError(ErrorCode.RateLimited, "bus publish queue is full (Kafka unavailable?)");
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = {
        topic: topicFor(targetNodeId),
        message: {
          key: envelopeKey(envelope),
          value: JSON.stringify(envelope),
          headers: { [ID_HEADER]: randomUUID() },
        },
        deadline: Date.now() + this.opts.publishTimeoutMs,
        settled: false,
        resolve: () => {
          if (pending.settled) return;
          pending.settled = true;
          resolve();
        },
        reject: (err) => {
          if (pending.settled) return;
          pending.settled = true;
          reject(err);
        },
      };
      this.counters.publishes += 1;
      this.queue.push(pending);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.pumping) return; // the running pump takes whatever is queued next
    if (this.queue.length >= this.opts.maxBatchRecords) {
      this.cancelLinger();
      this.startPump();
    } else if (!this.linger) {
      const fire = () => {
        this.linger = undefined;
        this.startPump();
      };
      // 0: after the current turn's other publishes (a zero setTimeout would wait ~1 ms)
      if (this.opts.lingerMs > 0) {
        const timer = setTimeout(fire, this.opts.lingerMs);
        this.linger = { cancel: () => clearTimeout(timer) };
      } else {
        const immediate = setImmediate(fire);
        this.linger = { cancel: () => clearImmediate(immediate) };
      }
    }
  }

  private cancelLinger(): void {
    this.linger?.cancel();
    this.linger = undefined;
  }

  private startPump(): void {
    if (this.pumping || this.queue.length === 0) return;
    this.pumping = (async () => {
      try {
        while (this.queue.length > 0) {
          const batch = this.queue.splice(0, this.opts.maxBatchRecords);
          await this.sendBatch(batch);
        }
      } finally {
        this.pumping = undefined;
      }
    })();
  }

  /**
   * Sends one batch until Kafka acknowledges it. A publish still unacknowledged at its deadline is
   * rejected; once every publish of the batch is, the batch is abandoned (the caller knows: the
   * message stays in PostgreSQL for sync) so a dead broker cannot hold the queue forever.
   */
  private async sendBatch(batch: Pending[]): Promise<void> {
    let abandon!: () => void;
    const abandoned = new Promise<"abandoned">((resolve) => (abandon = () => resolve("abandoned")));
    const timer = setInterval(() => {
      const now = Date.now();
      for (const p of batch) {
        if (!p.settled && now > p.deadline) p.reject(new AppError(ErrorCode.Internal, "Kafka did not acknowledge the publish in time"));
      }
      if (batch.every((p) => p.settled)) abandon();
    }, 100);
    timer.unref();
    const notFound = (p: Pending) => new AppError(ErrorCode.NotFound, `no inbox for node '${p.topic.slice(TOPIC_PREFIX.length)}'`);
    try {
      // a target without a topic has no inbox: fail those at once instead of retrying
      const missing = await this.missingTopics(batch, false);
      for (const p of batch) if (missing.has(p.topic)) p.reject(notFound(p));
      for (let attempt = 1; ; attempt++) {
        // publishes past their deadline stay in the batch (the caller was told; order is kept)
        const live = batch.filter((p) => !missing.has(p.topic));
        if (live.length === 0 || live.every((p) => p.settled)) return;
        const byTopic = new Map<string, KafkaMessage[]>();
        for (const p of live) {
          const list = byTopic.get(p.topic) ?? [];
          list.push(p.message);
          byTopic.set(p.topic, list);
        }
        const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
        try {
          const send = this.getProducer().then((producer) => producer.sendBatch({ acks: -1, topicMessages }));
          send.catch(() => undefined);
          if ((await Promise.race([send.then(() => "sent" as const), abandoned])) === "abandoned") {
            this.log.error({ records: live.length }, "Kafka publish abandoned after its deadline; the messages wait for sync");
            this.resetProducer();
            return;
          }
          this.counters.batches += 1;
          this.counters.records += live.length;
          for (const p of live) p.resolve();
          return;
        } catch (err) {
          if (live.every((p) => p.settled)) return;
          // a target whose topic was deleted meanwhile (the node stopped) fails alone, at once
          const gone = await this.missingTopics(live, true);
          if (gone.size > 0) {
            for (const topic of gone) missing.add(topic);
            for (const p of live) if (gone.has(p.topic)) p.reject(notFound(p));
            this.log.warn({ topics: [...gone] }, "publish target has no topic any more (node stopped); those records are left for sync");
            continue;
          }
          // beyond kafkajs's own retries (broker down, fenced producer, sequence errors): a fresh producer
          this.log.warn({ err, records: live.length, attempt }, "Kafka publish failed; retrying with a new producer");
          this.resetProducer();
          if ((await Promise.race([sleep(Math.min(200 * attempt, 2_000)).then(() => "slept" as const), abandoned])) === "abandoned") return;
        }
      }
    } finally {
      clearInterval(timer);
      abandon();
      for (const p of batch) if (!p.settled) p.reject(new AppError(ErrorCode.Internal, "Kafka did not acknowledge the publish"));
    }
  }

  private resetProducer(): void {
    const old = this.producer;
    this.producer = undefined;
    void old?.then((p) => p.disconnect()).catch(() => undefined);
  }

  // ───────────────────────────── lifecycle ─────────────────────────────

  /** Counters since start: publishes, acknowledged batches and records, handled records, fetched partition batches, offset commits, duplicates. */
  stats(): { publishes: number; batches: number; records: number; consumed: number; consumedBatches: number; commits: number; duplicatesDropped: number } {
    return { ...this.counters };
  }

  /**
   * The node leaves (graceful stop): stop consuming, delete its topic and consumer group, so no
   * publisher keeps writing into an inbox nobody reads. Idempotent.
   */
  async removeInbox(nodeId: string): Promise<void> {
    assertNodeId(nodeId);
    const inbox = this.inboxes.get(nodeId);
    if (inbox) {
      this.inboxes.delete(nodeId);
      await this.stopConsumer(inbox);
    }
    const admin = await this.getAdmin();
    const topic = topicFor(nodeId);
    try {
      await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
    } catch (err) {
      if (!/does not host this topic-partition|UNKNOWN_TOPIC/i.test(String((err as Error).message ?? err))) {
        const nested = (err as { errors?: Array<{ type?: string }> }).errors;
        if (!nested?.every((e) => e.type === "UNKNOWN_TOPIC_OR_PARTITION")) throw err;
      }
    }
    this.knownTopics.delete(topic);
    // a node restarting with the same id must find the old topic gone, not "marked for deletion"
    for (let i = 0; i < 50 && (await admin.listTopics()).includes(topic); i++) await sleep(200);
    try {
      await admin.deleteGroups([groupFor(nodeId)]);
    } catch {
      /* never created, or already gone */
    }
    this.log.info({ nodeId, topic }, "node inbox removed (topic and consumer group deleted)");
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.cancelLinger();
      this.startPump();
      // queued publishes get their chance (bounded by their deadline)
      while (this.pumping) await this.pumping;
      await Promise.all([...this.inboxes.values()].map((i) => this.stopConsumer(i)));
      this.inboxes.clear();
      const producer = this.producer;
      const admin = this.admin;
      this.producer = undefined;
      this.admin = undefined;
      await Promise.all([
        producer?.then((p) => p.disconnect()).catch(() => undefined),
        admin?.then((a) => a.disconnect()).catch(() => undefined),
      ]);
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new AppError(ErrorCode.Internal, "bus is closed");
  }
}

function parseEnvelope(value: Buffer | null): BusEnvelope {
  if (!value) throw new Error("empty record");
  const env: unknown = JSON.parse(value.toString("utf8"));
  if (!isBusEnvelope(env)) throw new Error("record is not a bus envelope");
  return env;
}
