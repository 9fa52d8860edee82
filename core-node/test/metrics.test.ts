/**
 * A core node's Prometheus metrics, scraped from its metrics listener while real sockets log in,
 * send, sync and misbehave: the counters move by what happened, the listener is loopback-only
 * and apart from the public port, and a token keeps it closed to requests without it.
 */
import { describe, expect, it } from "vitest";
import { MemoryHub, instrumentBus } from "@dim/infra";
import { PrismaMessageStore } from "@dim/db";
import { createMetricsRegistry, parseMetrics, sampleValue, type Sample } from "@dim/shared/metrics";
import { NodeMetrics } from "../src/node-metrics";
import { clientMsgId, connectAs, createConversation, createUser, openSocket, startNode, useTestDatabase } from "./helpers/cluster";

const db = useTestDatabase();
const LOOPBACK = { enabled: true, host: "127.0.0.1", port: 0, token: undefined };

async function scrape(url: string, headers: Record<string, string> = {}): Promise<Sample[]> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  return parseMetrics(await res.text());
}

/** A node whose store and bus report into its metrics, as main.ts wires them. */
async function instrumentedNode(hub: MemoryHub, opts: { ackTimeoutMs?: number } = {}) {
  const metrics = new NodeMetrics(createMetricsRegistry());
  const store = new PrismaMessageStore(db.prisma, { onAppendBatch: metrics.appendBatch });
  return startNode(db, hub, {
    metrics,
    metricsListener: LOOPBACK,
    store: () => store,
    bus: (bus) => instrumentBus(bus, metrics.registry),
    config: { routeCacheTtlMs: 60_000, ...(opts.ackTimeoutMs ? { ackTimeoutMs: opts.ackTimeoutMs } : {}) },
  });
}

describe("core node metrics", () => {
  it("count logins, frames by type, stored messages, appends, bus records, route-cache lookups, syncs, errors and re-pushes", async () => {
    const hub = new MemoryHub();
    const a = await instrumentedNode(hub);
    const b = await instrumentedNode(hub, { ackTimeoutMs: 50 });
    expect(a.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(a.metricsUrl).not.toContain(`:${a.port}/`);

    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const before = await scrape(a.metricsUrl!);
    expect(sampleValue(before, "dim_node_authenticated_connects_total")).toBe(0);
    expect(sampleValue(before, "dim_node_connections", { state: "authenticated" })).toBe(0);

    const { client: ca } = await connectAs(a, alice);
    const { client: cb } = await connectAs(b, bob);
    for (const body of ["one", "two"]) {
      ca.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body });
      await ca.next("sent");
    }
    // Bob's node pushes each once, and once more since bob never acks (ackTimeoutMs 50).
    await cb.next("message", (f) => f.message.seq === 2);
    await cb.next("message", (f) => f.message.seq === 1 && cb.all("message").length >= 3, 5000);
    await cb.next("message", (f) => f.message.seq === 2 && cb.all("message").length >= 4, 5000);
    ca.send({ type: "sync", conversationId: conv, afterSeq: 0 });
    await ca.next("sync.batch");
    ca.sendRaw("not json");
    await ca.next("error");
    const idle = await openSocket(a); // pending: opened, never authenticated
    await idle.roundTrip();

    const s = await scrape(a.metricsUrl!);
    expect(sampleValue(s, "dim_node_authenticated_connects_total")).toBe(1);
    expect(sampleValue(s, "dim_node_connections", { state: "authenticated" })).toBe(1);
    expect(sampleValue(s, "dim_node_connections", { state: "pending" })).toBe(1);
    expect(sampleValue(s, "dim_node_frames_in_total", { type: "auth" })).toBe(1);
    expect(sampleValue(s, "dim_node_frames_in_total", { type: "send" })).toBe(2);
    expect(sampleValue(s, "dim_node_frames_in_total", { type: "sync" })).toBe(1);
    expect(sampleValue(s, "dim_node_frames_in_total", { type: "invalid" })).toBe(1);
    expect(sampleValue(s, "dim_node_frames_in_total", { type: "ping" })).toBe(1);
    expect(sampleValue(s, "dim_node_frames_out_total", { type: "welcome" })).toBe(1);
    expect(sampleValue(s, "dim_node_frames_out_total", { type: "sent" })).toBe(2);
    expect(sampleValue(s, "dim_node_frames_out_total", { type: "sync.batch" })).toBe(1);
    expect(sampleValue(s, "dim_node_errors_total", { code: "BAD_REQUEST" })).toBe(1);
    expect(sampleValue(s, "dim_node_errors_total", { code: "FORBIDDEN" })).toBe(0);
    expect(sampleValue(s, "dim_node_messages_stored_total")).toBe(2);
    expect(sampleValue(s, "dim_store_append_batch_size_count")).toBe(2);
    expect(sampleValue(s, "dim_store_append_batch_size_sum")).toBe(2);
    expect(sampleValue(s, "dim_store_append_batch_duration_seconds_count")).toBe(2);
    expect(sampleValue(s, "dim_node_sync_requests_total")).toBe(1);
    expect(sampleValue(s, "dim_node_sync_batch_messages_sum")).toBe(2);
    // Bob is on the other node: the first message looked him up, the second found him cached.
    expect(sampleValue(s, "dim_node_route_cache_lookups_total", { result: "miss" })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(s, "dim_node_route_cache_lookups_total", { result: "hit" })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(s, "dim_bus_publish_duration_seconds_count", { result: "ok" })).toBeGreaterThanOrEqual(2);
    // Not on the embedded buses: no lag series at all, rather than a made-up 0.
    expect(s.some((x) => x.name === "dim_bus_consumer_lag_records")).toBe(false);
    // prom-client's process metrics: event-loop lag and heap.
    expect(sampleValue(s, "nodejs_eventloop_lag_p99_seconds")).toBeGreaterThanOrEqual(0);
    expect(sampleValue(s, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);

    const sb = await scrape(b.metricsUrl!);
    expect(sampleValue(sb, "dim_bus_consume_duration_seconds_count")).toBeGreaterThanOrEqual(2);
    expect(sampleValue(sb, "dim_node_frames_out_total", { type: "message" })).toBe(4);
    expect(sampleValue(sb, "dim_node_repushes_total")).toBe(2);
  });

  it("are not served on the public port", async () => {
    const node = await instrumentedNode(new MemoryHub());
    const res = await fetch(node.httpUrl("/metrics"));
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("dim_node");
  });

  it("with a token, answer only requests that carry it", async () => {
    const token = "metrics-token-0123456789";
    const node = await startNode(db, new MemoryHub(), { metricsListener: { ...LOOPBACK, token } });
    const url = node.metricsUrl!;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
    const ok = await scrape(url, { authorization: `Bearer ${token}` });
    expect(sampleValue(ok, "dim_node_authenticated_connects_total")).toBe(0);
    expect((await fetch(url.replace("/metrics", "/healthz"), { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });

  it("without a listener configured, no extra port is opened", async () => {
    const node = await startNode(db, new MemoryHub());
    expect(node.metricsUrl).toBeUndefined();
  });
});
