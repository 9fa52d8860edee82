/**
 * A real Prometheus (Debian's `prometheus`, on loopback, its own data directory) scrapes a real
 * core node's metrics listener; a query over its HTTP API shows the stored-messages counter move
 * from 0 to 1 after a send, and Prometheus accepts every query of docs/grafana-dashboard.json.
 * The binary: `prometheus` on PATH, or DIM_PROMETHEUS (scripts/check-prereqs.mjs says how to
 * install it). The cluster suite's version: test/cluster/metrics.test.ts.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MemoryHub } from "@dim/infra";
import { query, startPrometheus, until } from "./helpers/prometheus";
import { clientMsgId, connectAs, createConversation, createUser, startNode, useTestDatabase } from "./helpers/cluster";

const db = useTestDatabase();

/** docs/grafana-dashboard.json's queries, with Grafana's variables filled in as Grafana would. */
function dashboardExprs(): string[] {
  const dashboard = JSON.parse(readFileSync(new URL("../../docs/grafana-dashboard.json", import.meta.url), "utf8")) as {
    panels: Array<{ targets?: Array<{ expr: string }> }>;
  };
  return dashboard.panels
    .flatMap((p) => p.targets ?? [])
    .map((t) => t.expr.replaceAll("$instance", ".*").replaceAll("$__rate_interval", "1m"));
}

describe("a real Prometheus scraping a core node", () => {
  it("sees dim_node_messages_stored_total go from 0 to 1 after a send", async () => {
    const node = await startNode(db, new MemoryHub(), { metricsListener: { enabled: true, host: "127.0.0.1", port: 0, token: undefined } });
    const target = new URL(node.metricsUrl!).host;
    const prometheus = await startPrometheus([target], "dim-core-node");
    const stored = `dim_node_messages_stored_total{job="dim-core-node",instance="${target}"}`;

    await until(async () => (await query(prometheus, `up{instance="${target}"}`)) === 1, () => "the node's target is not up");
    await until(async () => (await query(prometheus, stored)) !== undefined, () => "no stored-messages series yet");
    expect(await query(prometheus, stored)).toBe(0);

    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const { client } = await connectAs(node, alice);
    client.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "scraped" });
    await client.next("sent");

    await until(async () => (await query(prometheus, stored)) === 1, () => "the counter did not reach 1 in Prometheus");
    expect(await query(prometheus, `dim_node_authenticated_connects_total{instance="${target}"}`)).toBe(1);

    // Every query of the shipped dashboard is PromQL this Prometheus accepts.
    for (const expr of dashboardExprs()) {
      const res = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`);
      expect({ expr, status: res.status }).toEqual({ expr, status: 200 });
    }
  }, 60_000);
});
