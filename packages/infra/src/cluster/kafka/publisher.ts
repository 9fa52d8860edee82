/**
 * The publishing side of the Kafka bus: records group-committed by the shared NaturalBatcher —
 * the publishes of one event-loop turn (or of `lingerMs`, when set) go out in ONE
 * producer.sendBatch (acks = all, idempotent producer), and while a batch is in flight the next
 * one accumulates. One batch is in flight at a time, so records keep their order across batches
 * and retries. Each publish resolves when its batch was acknowledged, or rejects at its deadline;
 * a target without a topic fails at once with NOT_FOUND.
 */
import { Partitioners, type Kafka, type Message as KafkaMessage, type Producer } from "kafkajs";
import { AppError, ErrorCode } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import { NaturalBatcher, sleep, type BatchOutcome } from "@dim/shared/async";
import type { KafkaBusCounters, KafkaSettings } from "./options";
import { nodeOf, type KafkaTopics } from "./topics";

type PublisherSettings = Pick<KafkaSettings, "lingerMs" | "maxBatchRecords" | "publishTimeoutMs" | "maxQueuedRecords">;

interface Pending {
  topic: string;
  message: KafkaMessage;
  deadline: number;
  settled: boolean;
  resolve(): void;
  reject(err: Error): void;
}

export class KafkaPublisher {
  private producer: Promise<Producer> | undefined;
  private readonly batcher: NaturalBatcher<Pending, void>;
  /** Publishes not yet taken into a batch. */
  private queued = 0;
  /** The latest publish, settled: once it is, every earlier one is too (batches run in order). */
  private lastPublish: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: KafkaTopics,
    private readonly settings: PublisherSettings,
    private readonly counters: KafkaBusCounters,
    private readonly log: Logger,
  ) {
    this.batcher = new NaturalBatcher((batch) => this.sendBatch(batch), {
      maxItems: settings.maxBatchRecords,
      // 0: after the current turn's other publishes (a zero setTimeout would wait ~1 ms)
      ...(settings.lingerMs > 0 ? { collectMs: settings.lingerMs } : { collect: "turn" as const }),
    });
  }

  /** Queues one record for `topic`; resolves once Kafka acknowledged it. */
  publish(topic: string, message: KafkaMessage): Promise<void> {
    if (this.queued >= this.settings.maxQueuedRecords) {
      return Promise.reject(new AppError(ErrorCode.RateLimited, "bus publish queue is full (Kafka unavailable?)"));
    }
    const published = new Promise<void>((resolve, reject) => {
      const pending: Pending = {
        topic,
        message,
        deadline: Date.now() + this.settings.publishTimeoutMs,
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
      this.queued += 1;
      // sendBatch settles each publish itself (a deadline may reject one before its batch is done)
      this.lastPublish = this.batcher.submit(pending).then(pending.resolve, pending.reject);
    });
    return published;
  }

  /**
   * Sends one batch until Kafka acknowledges it. A publish still unacknowledged at its deadline is
   * rejected; once every publish of the batch is, the batch is abandoned (the caller knows: the
   * message stays in PostgreSQL for sync) so a dead broker cannot hold the queue forever.
   */
  private async sendBatch(batch: Pending[]): Promise<Array<BatchOutcome<void>>> {
    this.queued -= batch.length;
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
    const notFound = (p: Pending) => new AppError(ErrorCode.NotFound, `no inbox for node '${nodeOf(p.topic)}'`);
    try {
      // a target without a topic has no inbox: fail those at once instead of retrying
      const missing = await this.topics.missing(batch.map((p) => p.topic), false);
      for (const p of batch) if (missing.has(p.topic)) p.reject(notFound(p));
      for (let attempt = 1; ; attempt++) {
        // publishes past their deadline stay in the batch (the caller was told; order is kept)
        const live = batch.filter((p) => !missing.has(p.topic));
        if (live.length === 0 || live.every((p) => p.settled)) break;
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
            break;
          }
          this.counters.batches += 1;
          this.counters.records += live.length;
          for (const p of live) p.resolve();
          break;
        } catch (err) {
          if (live.every((p) => p.settled)) break;
          // a target whose topic was deleted meanwhile (the node stopped) fails alone, at once
          const gone = await this.topics.missing(live.map((p) => p.topic), true);
          if (gone.size > 0) {
            for (const topic of gone) missing.add(topic);
            for (const p of live) if (gone.has(p.topic)) p.reject(notFound(p));
            this.log.warn({ topics: [...gone] }, "publish target has no topic any more (node stopped); those records are left for sync");
            continue;
          }
          // beyond kafkajs's own retries (broker down, fenced producer, sequence errors): a fresh producer
          this.log.warn({ err, records: live.length, attempt }, "Kafka publish failed; retrying with a new producer");
          this.resetProducer();
          if ((await Promise.race([sleep(Math.min(200 * attempt, 2_000)).then(() => "slept" as const), abandoned])) === "abandoned") break;
        }
      }
    } finally {
      clearInterval(timer);
      abandon();
      for (const p of batch) if (!p.settled) p.reject(new AppError(ErrorCode.Internal, "Kafka did not acknowledge the publish"));
    }
    return batch.map(() => ({ value: undefined }));
  }

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

  private resetProducer(): void {
    const old = this.producer;
    this.producer = undefined;
    void old?.then((p) => p.disconnect()).catch(() => undefined);
  }

  /** Lets the queued publishes have their chance (bounded by their deadlines), then disconnects. */
  async close(): Promise<void> {
    await this.lastPublish;
    const producer = this.producer;
    this.producer = undefined;
    await producer?.then((p) => p.disconnect()).catch(() => undefined);
  }
}
