/**
 * Node topics and consumer groups through Kafka's admin API: `dim.node.<nodeId>` created when a
 * node subscribes (partitions as configured, replication capped at the number of brokers),
 * looked up before publishing (a target without a topic has no inbox), deleted with its group
 * when the node leaves.
 */
import type { Admin, Kafka } from "kafkajs";
import { AppError, ErrorCode, NODE_ID_RE } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import { sleep } from "@dim/shared/async";
import type { KafkaSettings } from "./options";

export const TOPIC_PREFIX = "dim.node.";

export function topicFor(nodeId: string): string {
  return `${TOPIC_PREFIX}${nodeId}`;
}
export function groupFor(nodeId: string): string {
  return `${TOPIC_PREFIX}${nodeId}`;
}
/** The node a topic belongs to. */
export function nodeOf(topic: string): string {
  return topic.slice(TOPIC_PREFIX.length);
}

export function assertNodeId(nodeId: string): void {
  if (!NODE_ID_RE.test(nodeId)) throw new AppError(ErrorCode.BadRequest, "nodeId must be 1..64 characters of A-Z a-z 0-9 . _ -");
}

export class KafkaTopics {
  private admin: Promise<Admin> | undefined;
  /** Topics seen to exist (publishes check their targets against it). */
  private readonly known = new Set<string>();

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: Pick<KafkaSettings, "partitions" | "replication" | "retentionMs">,
    private readonly log: Logger,
  ) {}

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
  async ensure(nodeId: string): Promise<{ created: boolean; replication: number }> {
    const { partitions, replication: wanted, retentionMs } = this.settings;
    const admin = await this.getAdmin();
    const topic = topicFor(nodeId);
    const { brokers } = await admin.describeCluster();
    const replication = Math.max(1, Math.min(wanted, brokers.length));
    if (replication < wanted) {
      this.log.warn({ topic, wanted, brokers: brokers.length }, "replication factor capped at the number of brokers");
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
              numPartitions: partitions,
              replicationFactor: replication,
              configEntries: [
                { name: "retention.ms", value: String(retentionMs) },
                { name: "min.insync.replicas", value: String(Math.max(1, replication - 1)) },
              ],
            },
          ],
        });
        created ||= createdNow;
        if (!createdNow) {
          const meta = await admin.fetchTopicMetadata({ topics: [topic] });
          const count = meta.topics[0]?.partitions.length ?? 0;
          if (!created && count !== partitions) {
            this.log.warn({ topic, partitions: count, configured: partitions }, "existing node topic keeps its partition count");
          }
        }
        break;
      } catch (err) {
        if (!(err as { retriable?: boolean }).retriable || attempt >= 10) throw err;
        this.log.debug({ err, topic, attempt }, "topic not ready yet; retrying");
        await sleep(100 * attempt);
      }
    }
    this.known.add(topic);
    this.log.info({ topic, created, partitions, replication }, created ? "node topic created" : "node topic exists");
    return { created, replication };
  }

  /** Which of these topics do not exist; `recheck` forgets cached ones first. Errors → none. */
  async missing(topics: Iterable<string>, recheck: boolean): Promise<Set<string>> {
    const missing = new Set<string>();
    for (const topic of new Set(topics)) {
      if (recheck) this.known.delete(topic);
      if (!(await this.exists(topic).catch(() => true))) missing.add(topic);
    }
    return missing;
  }

  private async exists(topic: string): Promise<boolean> {
    if (this.known.has(topic)) return true;
    const admin = await this.getAdmin();
    const topics = await admin.listTopics();
    if (topics.includes(topic)) {
      this.known.add(topic);
      return true;
    }
    return false;
  }

  /** Deletes the node's topic and consumer group (idempotent), and waits until the topic is gone. */
  async remove(nodeId: string): Promise<void> {
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
    this.known.delete(topic);
    // a node restarting with the same id must find the old topic gone, not "marked for deletion"
    for (let i = 0; i < 50 && (await admin.listTopics()).includes(topic); i++) await sleep(200);
    try {
      await admin.deleteGroups([groupFor(nodeId)]);
    } catch {
      /* never created, or already gone */
    }
  }

  /** One metadata round trip to the cluster (Bus.ping). */
  async ping(): Promise<void> {
    const admin = await this.getAdmin();
    await admin.describeCluster();
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }
}
