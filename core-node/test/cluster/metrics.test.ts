/**
 * The cluster suite's metrics: two core node processes (main.ts, DIM_MODE=cluster: Kafka bus,
 * ZooKeeper, Redis) with their default metrics listener, scraped by a real Prometheus. After
 * people on the two nodes chat, queries over Prometheus's HTTP API see the messages stored, the
 * group-commit batches, records published and consumed over Kafka, and each node's consumer lag.
 */
import { describe, expect, it } from "vitest";
import { query, startPrometheus, until } from "../helpers/prometheus";
import { eventually, nodeOf, Sender, useSystem } from "./system";

const system = useSystem({ label: "metrics", nodes: 2 });

describe("cluster mode: Prometheus scrapes the core node processes", () => {
  it("sees stored messages, append batches, Kafka publishes and consumes, and a consumer lag per node", async () => {
    const nodes = [...system.nodes.values()];
    const targets = nodes.map((n) => new URL(n.metricsUrl).host);
    const prometheus = await startPrometheus(targets, "dim-cluster");
    await until(async () => (await query(prometheus, 'sum(up{job="dim-cluster"})')) === 2, () => "both node targets up");

    const [alice, bob] = await Promise.all([system.register("alice"), system.register("bob")]);
    const conversation = await system.befriend(alice, bob);
    const a = system.client(alice);
    const b = system.client(bob);
    await a.connect();
    await b.connect();
    expect(nodeOf(a)).not.toBe(nodeOf(b)); // round-robin over two nodes: messages cross Kafka
    const sender = new Sender(a, conversation, "a→b");
    sender.start(80);
    await eventually(() => {
      if (sender.acked.size < 10) throw new Error(`${sender.acked.size} acked`);
    }, "10 ACKed messages");
    await sender.settle();
    const sent = sender.acked.size;

    const value = (promql: string) => query(prometheus, promql);
    await until(async () => (await value("sum(dim_node_messages_stored_total)")) === sent, () => `stored ≠ ${sent}`);
    await until(async () => ((await value("sum(dim_store_append_batch_size_sum)")) ?? 0) >= sent, () => "append batches not seen");
    await until(async () => ((await value('sum(dim_bus_publish_duration_seconds_count{result="ok"})')) ?? 0) >= sent, () => "Kafka publishes not seen");
    await until(async () => ((await value("sum(dim_bus_consume_duration_seconds_count)")) ?? 0) >= sent, () => "Kafka consumes not seen");
    await until(async () => (await value("count(dim_bus_consumer_lag_records)")) === 2, () => "a lag series per node");
    await until(async () => (await value("max(dim_bus_consumer_lag_records)")) === 0, () => "both nodes caught up");
    expect(await value("sum(dim_node_authenticated_connects_total)")).toBeGreaterThanOrEqual(2);
  }, 180_000);
});
