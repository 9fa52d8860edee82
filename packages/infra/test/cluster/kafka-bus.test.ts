import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AppError } from "@dim/shared";
import { KafkaBus, groupFor, topicFor } from "../../src/cluster/kafka/index";
import { withEnvelopes, type BusEnvelope, type EnvelopeBus } from "../helpers";
import { VERSIONS } from "../../../../scripts/infra/paths";
import { clusterState, control, deliver, nodeId, sleep, testLogger } from "./cluster-env";

const seqOf = (e: BusEnvelope) => (e.type === "deliver" ? e.message.seq : e.type === "receipt" ? e.seq : -1);

describe("KafkaBus on a real broker", () => {
  const brokers = () => [clusterState().kafka.brokers];
  const buses: KafkaBus[] = [];
  const children: ChildProcess[] = [];
  const nodes: string[] = [];
  const kafka = () => new Kafka({ clientId: "dim-test", brokers: brokers(), logLevel: logLevel.NOTHING });
  const admin = kafka().admin();

  function newBus(opts: Partial<ConstructorParameters<typeof KafkaBus>[0]> = {}): EnvelopeBus<KafkaBus> {
    const bus = new KafkaBus({ brokers: brokers(), partitions: 3, replication: 1, sessionTimeoutMs: 6_000, logger: testLogger, ...opts });
    buses.push(bus);
    return withEnvelopes(bus);
  }
  function newNode(label: string): string {
    const id = nodeId(label);
    nodes.push(id);
    return id;
  }

  beforeAll(async () => {
    await admin.connect();
  });
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill("SIGKILL");
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });
  afterAll(async () => {
    // test topics and groups are removed (removeInbox is idempotent)
    const cleaner = newBus();
    for (const id of nodes) await cleaner.removeInbox(id).catch(() => undefined);
    await cleaner.close();
    await admin.disconnect();
  });

  it(`kafkajs 2.2.4 produces to and consumes from Kafka ${VERSIONS.kafka} (KRaft)`, async () => {
    const id = newNode("compat");
    const got: BusEnvelope[] = [];
    const bus = newBus();
    await bus.subscribe(id, async (e) => {
      got.push(e);
    });
    const conversation = randomUUID();
    const sent = [deliver(conversation, 1), deliver(conversation, 2)];
    await Promise.all(sent.map((e) => bus.publish(id, e)));
    await vi.waitFor(() => expect(got).toHaveLength(2), { timeout: 60_000, interval: 100 });
    expect(got).toEqual(sent);
    expect(clusterState().kafka.version).toBe(VERSIONS.kafka);
  });

  it("creates the node topic with the configured partitions, caps replication at the broker count, keys records by conversation", async () => {
    const id = newNode("topic");
    const bus = newBus({ partitions: 4, replication: 3 });
    await bus.subscribe(id, async () => undefined);
    const meta = await admin.fetchTopicMetadata({ topics: [topicFor(id)] });
    const partitions = meta.topics[0]!.partitions;
    expect(partitions).toHaveLength(4);
    const { brokers: clusterBrokers } = await admin.describeCluster();
    for (const p of partitions) expect(p.replicas).toHaveLength(Math.min(3, clusterBrokers.length));

    const conversations = [randomUUID(), randomUUID(), randomUUID()];
    await Promise.all(conversations.flatMap((c) => [1, 2, 3].map((seq) => bus.publish(id, deliver(c, seq)))));

    // read the raw records with a separate consumer group
    const reader = kafka().consumer({ groupId: `dim-test-reader-${randomUUID()}` });
    await reader.connect();
    await reader.subscribe({ topic: topicFor(id), fromBeginning: true });
    const records: Array<{ key: string; partition: number; conversationId: string }> = [];
    await reader.run({
      eachMessage: async ({ message, partition }) => {
        const env = JSON.parse(message.value!.toString()) as BusEnvelope;
        records.push({ key: message.key!.toString(), partition, conversationId: "conversationId" in env ? env.conversationId : "" });
      },
    });
    await vi.waitFor(() => expect(records).toHaveLength(9), { timeout: 60_000, interval: 100 });
    await reader.disconnect();
    for (const r of records) expect(r.key).toBe(r.conversationId);
    for (const c of conversations) {
      expect(new Set(records.filter((r) => r.conversationId === c).map((r) => r.partition)).size).toBe(1);
    }
  });

  it("keeps each conversation in order, and batches publishes (fewer sends than records)", async () => {
    const id = newNode("order");
    const consumerBus = newBus();
    const seen = new Map<string, number[]>();
    let total = 0;
    await consumerBus.subscribe(id, async (e) => {
      const c = "conversationId" in e ? e.conversationId : "";
      const list = seen.get(c) ?? [];
      list.push(seqOf(e));
      seen.set(c, list);
      total++;
    });
    const publisher = newBus();
    const conversations = Array.from({ length: 5 }, () => randomUUID());
    const perConversation = 60;
    const publishes: Array<Promise<void>> = [];
    for (let seq = 1; seq <= perConversation; seq++) {
      for (const c of conversations) publishes.push(publisher.publish(id, deliver(c, seq)));
    }
    await Promise.all(publishes);
    await vi.waitFor(() => expect(total).toBe(conversations.length * perConversation), { timeout: 60_000, interval: 100 });
    const expected = Array.from({ length: perConversation }, (_, i) => i + 1);
    for (const c of conversations) expect(seen.get(c)).toEqual(expected);
    const stats = publisher.stats();
    expect(stats.records).toBe(conversations.length * perConversation);
    expect(stats.batches).toBeLessThan(stats.records / 10);
  });

  it("commits an offset only after its handler resolved: a consumer killed mid-way loses nothing", async () => {
    const id = newNode("commit");
    const conversation = randomUUID();
    // the child (a separate process) creates the topic, handles seq 1..3 and hangs in seq 4
    const child = spawn(
      process.execPath,
      ["--import", "tsx", fileURLToPath(new URL("./fixtures/consumer-child.ts", import.meta.url)), brokers()[0]!, id, "4"],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    children.push(child);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    await vi.waitFor(() => expect(out).toContain("subscribed"), { timeout: 90_000, interval: 100 });

    const publisher = newBus({ partitions: 1 });
    for (let seq = 1; seq <= 8; seq++) await publisher.publish(id, deliver(conversation, seq));
    await vi.waitFor(() => expect(out).toContain("hanging 4"), { timeout: 60_000, interval: 100 });
    expect(out).toContain("handled 3");
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));

    // nothing past the handled records was committed
    const offsets = await admin.fetchOffsets({ groupId: groupFor(id), topics: [topicFor(id)] });
    const committed = Number(offsets[0]!.partitions[0]!.offset); // -1: nothing committed yet
    expect(committed).toBeLessThanOrEqual(3); // offsets 0..2 hold seq 1..3

    // a new consumer of the same node gets every record that was not handled, in order
    const got: number[] = [];
    const next = newBus({ partitions: 1 });
    await next.subscribe(id, async (e) => {
      got.push(seqOf(e));
    });
    await vi.waitFor(() => expect(got.slice(-5)).toEqual([4, 5, 6, 7, 8]), { timeout: 90_000, interval: 200 });
    expect(got.filter((s) => s >= 4)).toEqual([4, 5, 6, 7, 8]);
  });

  it("commits handled offsets in the background, not once per record, and what it handled when it stops", async () => {
    const committedOffset = async (id: string) => {
      const offsets = await admin.fetchOffsets({ groupId: groupFor(id), topics: [topicFor(id)] });
      return Number(offsets[0]!.partitions[0]!.offset); // -1: nothing committed
    };
    const conversation = randomUUID();
    const publisher = newBus({ partitions: 1 });

    // a commit interval longer than the test: nothing is committed while it runs, all of it at close
    const slow = newNode("commit-stop");
    const slowGot: number[] = [];
    const slowBus = newBus({ partitions: 1, commitIntervalMs: 600_000 });
    await slowBus.subscribe(slow, async (e) => {
      slowGot.push(seqOf(e));
    });
    for (let seq = 1; seq <= 5; seq++) await publisher.publish(slow, deliver(conversation, seq));
    await vi.waitFor(() => expect(slowGot).toEqual([1, 2, 3, 4, 5]), { timeout: 60_000, interval: 100 });
    expect(await committedOffset(slow)).toBe(-1);
    await slowBus.close();
    expect(await committedOffset(slow)).toBe(5);
    expect(slowBus.stats().commits).toBe(1);

    // the default interval: records arriving one at a time share commits, and all get committed
    const fast = newNode("commit-bg");
    const fastGot: number[] = [];
    const fastBus = newBus({ partitions: 1 });
    await fastBus.subscribe(fast, async (e) => {
      fastGot.push(seqOf(e));
    });
    for (let seq = 1; seq <= 30; seq++) await publisher.publish(fast, deliver(conversation, seq));
    await vi.waitFor(() => expect(fastGot).toHaveLength(30), { timeout: 60_000, interval: 100 });
    await vi.waitFor(async () => expect(await committedOffset(fast)).toBe(30), { timeout: 10_000, interval: 100 });
    const stats = fastBus.stats();
    expect(stats.consumedBatches).toBeGreaterThan(stats.commits);
  });

  it("reports its inbox backlog (consumerLag) from the fetched batches: records not yet handled, 0 once caught up", async () => {
    const id = newNode("lag");
    const conversation = randomUUID();
    const bus = newBus({ partitions: 1 });
    await bus.ensureTopic(id);
    for (let seq = 1; seq <= 5; seq++) await bus.publish(id, deliver(conversation, seq));
    expect(bus.consumerLag(id)).toBeUndefined(); // not consuming it

    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const handled: number[] = [];
    await bus.subscribe(id, async (e) => {
      if (seqOf(e) === 2) await held;
      handled.push(seqOf(e));
    });
    // seq 1 handled, seq 2 in its handler: 4 records (2..5) left of the 5 the fetch saw
    await vi.waitFor(() => expect(handled).toEqual([1]), { timeout: 60_000, interval: 50 });
    expect(bus.consumerLag(id)).toBe(4);
    release();
    await vi.waitFor(() => expect(handled).toEqual([1, 2, 3, 4, 5]), { timeout: 30_000, interval: 50 });
    expect(bus.consumerLag(id)).toBe(0);
  });

  it("rejects bad input and publishes to a node without an inbox with typed errors", async () => {
    const bus = newBus();
    await expect(bus.publish("bad id/with slash", deliver(randomUUID(), 1))).rejects.toBeInstanceOf(AppError);
    await expect(bus.publish(nodeId("nowhere"), deliver(randomUUID(), 1))).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(bus.subscribe("", async () => undefined)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("removeInbox deletes the node topic and its consumer group, idempotently", async () => {
    const id = newNode("remove");
    const bus = newBus();
    await bus.subscribe(id, async () => undefined);
    expect(await admin.listTopics()).toContain(topicFor(id));
    await bus.removeInbox(id);
    await bus.removeInbox(id);
    await vi.waitFor(async () => expect(await admin.listTopics()).not.toContain(topicFor(id)), { timeout: 30_000, interval: 200 });
  });

  it("a stopped node's inbox fails fast (NOT_FOUND) and does not hold up publishes to other nodes", async () => {
    const stopped = newNode("stopped");
    const alive = newNode("alive");
    const stoppedBus = newBus();
    await stoppedBus.subscribe(stopped, async () => undefined);
    const got: number[] = [];
    await newBus().subscribe(alive, async (e) => {
      got.push(seqOf(e));
    });
    const publisher = newBus({ publishTimeoutMs: 60_000 });
    await publisher.publish(stopped, deliver(randomUUID(), 1)); // the publisher now knows its topic
    await stoppedBus.removeInbox(stopped); // graceful stop of that node
    const conversation = randomUUID();
    const results = await Promise.allSettled([
      publisher.publish(stopped, deliver(randomUUID(), 2)),
      publisher.publish(alive, deliver(conversation, 1)),
      publisher.publish(alive, deliver(conversation, 2)),
    ]);
    expect(results[0]).toMatchObject({ status: "rejected", reason: { code: "NOT_FOUND" } });
    expect(results.slice(1).map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
    await vi.waitFor(() => expect(got).toEqual([1, 2]), { timeout: 60_000, interval: 100 });
  });

  it("survives a Kafka broker restart during traffic: every publish acknowledged, delivered once, in order", async () => {
    const id = newNode("restart");
    const consumer = newBus({ publishTimeoutMs: 180_000 });
    const seen = new Map<string, number[]>();
    await consumer.subscribe(id, async (e) => {
      const c = "conversationId" in e ? e.conversationId : "";
      const list = seen.get(c) ?? [];
      list.push(seqOf(e));
      seen.set(c, list);
    });
    const publisher = newBus({ publishTimeoutMs: 180_000 });
    const conversations = [randomUUID(), randomUUID(), randomUUID()];
    const pidBefore = (await control().state()).kafka.pid;
    let restart: Promise<unknown> | undefined;
    let restarted = false;
    let after = 0;
    let rounds = 0;
    const acked: Array<Promise<void>> = [];
    // publishes keep going before, during and after the restart (bounded)
    for (let seq = 1; seq <= 2_000 && after < 10; seq++) {
      for (const c of conversations) acked.push(publisher.publish(id, deliver(c, seq)));
      rounds = seq;
      if (seq === 10) restart = control().restart("kafka").then(() => (restarted = true));
      if (restarted) after++;
      await sleep(100);
    }
    await restart;
    expect(restarted).toBe(true);
    expect((await control().state()).kafka.pid).not.toBe(pidBefore);
    await Promise.all(acked);
    testLogger.info({ publisher: publisher.stats(), consumer: consumer.stats() }, "bus counters after the broker restart");
    const expected = Array.from({ length: rounds }, (_, i) => i + 1);
    await vi.waitFor(
      () => {
        for (const c of conversations) expect(seen.get(c)).toEqual(expected);
      },
      { timeout: 120_000, interval: 250 },
    );
  });
});
