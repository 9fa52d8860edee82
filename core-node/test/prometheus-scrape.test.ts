/**
 * A real Prometheus (Debian's `prometheus`, on loopback, its own data directory) scrapes a real
 * core node's metrics listener; a query over its HTTP API shows the stored-messages counter move
 * from 0 to 1 after a send, and accepts every query of docs/grafana-dashboard.json. The binary: `prometheus` on PATH, or DIM_PROMETHEUS
 * (scripts/check-prereqs.mjs says how to install it).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { MemoryHub } from "@dim/infra";
import { freePort } from "@dim/shared/node";
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
const PROMETHEUS = process.env.DIM_PROMETHEUS ?? "prometheus";

async function startPrometheus(target: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "dim-prometheus-"));
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 900ms",
      "scrape_configs:",
      "  - job_name: dim-core-node",
      "    static_configs:",
      `      - targets: ["${target}"]`,
      "",
    ].join("\n"),
  );
  const port = await freePort();
  const proc: ChildProcess = spawn(
    PROMETHEUS,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  proc.once("error", (err) => (stderr += `\n${err.message}`));
  onTestFinished(async () => {
    if (proc.exitCode === null) proc.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${url}/-/ready`).catch(() => null))?.ok === true, () => `prometheus not ready:\n${stderr}`);
  return url;
}

/** The value of an instant query with one series; undefined while it has none. */
async function query(prometheus: string, promql: string): Promise<number | undefined> {
  const res = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data: { result: Array<{ value: [number, string] }> } };
  expect(body.status).toBe("success");
  const value = body.data.result[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}

async function until(check: () => Promise<boolean>, what: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("a real Prometheus scraping a core node", () => {
  it("sees dim_node_messages_stored_total go from 0 to 1 after a send", async () => {
    const node = await startNode(db, new MemoryHub(), { metricsListener: { enabled: true, host: "127.0.0.1", port: 0, token: undefined } });
    const target = new URL(node.metricsUrl!).host;
    const prometheus = await startPrometheus(target);
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
