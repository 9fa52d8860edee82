/**
 * The Bus on Kafka (kafkajs 2.2.4), as a thin facade over its three parts: node topics
 * (topics.ts), one consumer inbox per subscribed node (inbox.ts) and the batching publisher
 * (publisher.ts).
 *
 * - One topic per node, `dim.node.<nodeId>`, created by the node when it subscribes; one
 *   consumer group per node. Records carry the caller's key (Kafka's murmur2 partitioner), so
 *   one key — a conversation — stays on one partition and in order.
 * - removeInbox() — called by a core node's graceful stop — deletes the node's topic and consumer
 *   group (see docs/cluster.md). A killed node leaves both behind; the same node id recreates or
 *   reuses them when it starts again. Publishing to a node without a topic fails at once with
 *   NOT_FOUND (the message is stored; sync delivers it).
 */
import { randomUUID } from "node:crypto";
import { AppError, ErrorCode } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import { assertBusRecord } from "../../bus-record";
import type { Bus, BusHandler } from "../../types";
import { ID_HEADER, KafkaInbox } from "./inbox";
import { createKafkaClient, kafkaSettings, newCounters, type KafkaBusCounters, type KafkaBusOptions, type KafkaSettings } from "./options";
import { KafkaPublisher } from "./publisher";
import { KafkaTopics, assertNodeId, topicFor } from "./topics";

export class KafkaBus implements Bus {
  private readonly kafka;
  private readonly log: Logger;
  private readonly settings: KafkaSettings;
  private readonly counters: KafkaBusCounters = newCounters();
  private readonly topics: KafkaTopics;
  private readonly publisher: KafkaPublisher;
  private readonly inboxes = new Map<string, KafkaInbox>();
  private closing: Promise<void> | undefined;

  constructor(options: KafkaBusOptions) {
    this.kafka = createKafkaClient(options);
    this.log = options.logger;
    this.settings = kafkaSettings(options);
    this.topics = new KafkaTopics(this.kafka, this.settings, this.log);
    this.publisher = new KafkaPublisher(this.kafka, this.topics, this.settings, this.counters, this.log);
  }

  /** Creates the node's topic if missing; returns the replication factor used. */
  ensureTopic(nodeId: string): Promise<{ created: boolean; replication: number }> {
    return this.topics.ensure(nodeId);
  }

  async subscribe(nodeId: string, handler: BusHandler): Promise<void> {
    this.assertOpen();
    assertNodeId(nodeId);
    if (this.inboxes.has(nodeId)) throw new AppError(ErrorCode.Conflict, `already subscribed to node '${nodeId}'`);
    await this.topics.ensure(nodeId);
    const log = this.log.child({ nodeId, topic: topicFor(nodeId) });
    const inbox = new KafkaInbox(this.kafka, nodeId, handler, this.settings, this.counters, log);
    this.inboxes.set(nodeId, inbox);
    try {
      await inbox.start();
    } catch (err) {
      this.inboxes.delete(nodeId);
      await inbox.stop();
      throw err;
    }
    log.info("consuming node topic");
  }

  publish(targetNodeId: string, key: string, payload: string): Promise<void> {
    try {
      this.assertOpen();
      assertNodeId(targetNodeId);
      assertBusRecord(key, payload);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.publisher.publish(topicFor(targetNodeId), { key, value: payload, headers: { [ID_HEADER]: randomUUID() } });
  }

  /** Bus.ping: the brokers answer a metadata request. */
  async ping(): Promise<void> {
    this.assertOpen();
    await this.topics.ping();
  }

  /** Bus.consumerLag: the node's inbox backlog as of its last fetched batches. */
  consumerLag(nodeId: string): number | undefined {
    return this.inboxes.get(nodeId)?.lag();
  }

  /** Counters since start: publishes, acknowledged batches and records, handled records, fetched partition batches, offset commits, duplicates. */
  stats(): KafkaBusCounters {
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
      await inbox.stop();
    }
    await this.topics.remove(nodeId);
    this.log.info({ nodeId, topic: topicFor(nodeId) }, "node inbox removed (topic and consumer group deleted)");
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // queued publishes get their chance (bounded by their deadline)
      await this.publisher.close();
      await Promise.all([...this.inboxes.values()].map((i) => i.stop()));
      this.inboxes.clear();
      await this.topics.close();
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new AppError(ErrorCode.Internal, "bus is closed");
  }
}
