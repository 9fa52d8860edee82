/**
 * docs/grafana-dashboard.json charts only series that exist: every `dim_*` metric its queries
 * name is registered by the core node's or the gateway's metrics (histograms by their base name).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GatewayMetrics } from "@dim/api";
import { instrumentBus, MemoryBus, MemoryHub } from "@dim/infra";
import { createMetricsRegistry } from "@dim/shared/metrics";
import { NodeMetrics } from "../src/node-metrics";

const dashboard = readFileSync(new URL("../../docs/grafana-dashboard.json", import.meta.url), "utf8");

describe("the Grafana dashboard", () => {
  it("names only metrics that DIM registers", async () => {
    const registry = createMetricsRegistry();
    new NodeMetrics(registry);
    const bus = new MemoryBus(new MemoryHub());
    // a bus that measures its backlog, as the Kafka one does
    instrumentBus(Object.assign(bus, { consumerLag: () => 0 }), registry);
    const gateway = new GatewayMetrics();
    const registered = new Set([...(await registry.getMetricsAsJSON()), ...(await gateway.registry.getMetricsAsJSON())].map((m) => m.name));

    const named = new Set([...dashboard.matchAll(/\b(dim_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, "")));
    expect(named.size).toBeGreaterThan(15);
    expect([...named].filter((n) => !registered.has(n))).toEqual([]);
    // and every DIM metric has a panel
    expect([...registered].filter((n) => n.startsWith("dim_") && !named.has(n))).toEqual([]);
  });
});
