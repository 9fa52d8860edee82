/**
 * A Bus that measures the one it wraps, whatever it is (in-process, PostgreSQL, Kafka): how long
 * a publish takes to be accepted, how long a record takes to be handled, and the inbox's backlog
 * when the bus can tell (Bus.consumerLag). The caller passes its registry (one per process part).
 */
import { boundChildren, Gauge, Histogram, LATENCY_BUCKETS, secondsSince, type Registry } from "@dim/shared/metrics";
import type { Bus, BusHandler } from "../types";

export function instrumentBus(bus: Bus, registry: Registry): Bus {
  const publishSeconds = new Histogram({
    name: "dim_bus_publish_duration_seconds",
    help: "Time until the bus accepted a published record (Kafka: acks=all; embedded: handed to PostgreSQL or the hub)",
    labelNames: ["result"],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const published = boundChildren(publishSeconds, ["ok", "error"] as const);
  const consumeSeconds = new Histogram({
    name: "dim_bus_consume_duration_seconds",
    help: "Time this node took to handle one record from its inbox",
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const subscribed = new Set<string>();
  // Only where the bus can measure it: an absent series says "unknown", a 0 would say "caught up".
  const lagOf = bus.consumerLag?.bind(bus);
  if (lagOf) {
    new Gauge({
      name: "dim_bus_consumer_lag_records",
      help: "Records in this node's inbox not yet handled, as of the last fetched batch (Kafka)",
      registers: [registry],
      collect() {
        let lag = 0;
        for (const nodeId of subscribed) lag += lagOf(nodeId) ?? 0;
        this.set(lag);
      },
    });
  }

  const instrumented: Bus = {
    subscribe(nodeId, handler) {
      const timed: BusHandler = async (payload) => {
        const start = performance.now();
        try {
          await handler(payload);
        } finally {
          consumeSeconds.observe(secondsSince(start));
        }
      };
      subscribed.add(nodeId);
      return bus.subscribe(nodeId, timed);
    },
    async publish(targetNodeId, key, payload) {
      const start = performance.now();
      try {
        await bus.publish(targetNodeId, key, payload);
        published.ok.observe(secondsSince(start));
      } catch (err) {
        published.error.observe(secondsSince(start));
        throw err;
      }
    },
    close: () => bus.close(),
  };
  if (bus.removeInbox) {
    instrumented.removeInbox = (nodeId) => {
      subscribed.delete(nodeId);
      return bus.removeInbox!(nodeId);
    };
  }
  if (bus.ping) instrumented.ping = () => bus.ping!();
  if (bus.consumerLag) instrumented.consumerLag = (nodeId) => bus.consumerLag!(nodeId);
  return instrumented;
}
