/**
 * docs/prometheus-alerts.yml is valid for a real Prometheus (`promtool check rules`), each alert
 * fires when it should and not otherwise (`promtool test rules` on core-node/test/alerts/
 * alerts.test.yml), and every `dim_*` metric it names is one DIM registers, so a renamed metric
 * cannot silently turn an alert into one that never fires. promtool ships with Debian's
 * `prometheus` package (or set DIM_PROMTOOL).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { GatewayMetrics } from "@dim/api";
import { instrumentBus, MemoryBus, MemoryHub } from "@dim/infra";
import { addDefaultMetrics, createMetricsRegistry } from "@dim/shared/metrics";
import { NodeMetrics } from "../src/node-metrics";

const PROMTOOL = process.env.DIM_PROMTOOL ?? "promtool";
const rulesPath = fileURLToPath(new URL("../../docs/prometheus-alerts.yml", import.meta.url));
const testsPath = fileURLToPath(new URL("./alerts/alerts.test.yml", import.meta.url));

function promtool(...args: string[]) {
  const r = spawnSync(PROMTOOL, args, { encoding: "utf8", cwd: fileURLToPath(new URL("./alerts/", import.meta.url)) });
  if (r.error) throw new Error(`${PROMTOOL} could not run (${r.error.message}): apt-get install -y prometheus, or set DIM_PROMTOOL`);
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("the Prometheus alerting rules", () => {
  it("are valid rules", () => {
    const r = promtool("check", "rules", rulesPath);
    expect(r.out).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });

  it("fire for the process that should and no other (promtool unit tests)", () => {
    const r = promtool("test", "rules", testsPath);
    expect(r.status, r.out).toBe(0);
    // every alert of the file has a test
    const alerts = [...readFileSync(rulesPath, "utf8").matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    const tested = new Set([...readFileSync(testsPath, "utf8").matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
    expect(alerts.length).toBeGreaterThan(5);
    expect(alerts.filter((a) => !tested.has(a))).toEqual([]);
  });

  it("name only metrics that DIM registers", async () => {
    const registry = createMetricsRegistry();
    new NodeMetrics(registry);
    addDefaultMetrics(registry); // nodejs_* (event-loop lag), as a served registry has them
    instrumentBus(Object.assign(new MemoryBus(new MemoryHub()), { consumerLag: () => 0 }), registry);
    const gateway = new GatewayMetrics();
    const registered = new Set([...(await registry.getMetricsAsJSON()), ...(await gateway.registry.getMetricsAsJSON())].map((m) => m.name));
    const rules = readFileSync(rulesPath, "utf8");
    const named = new Set([...rules.matchAll(/\b((?:dim|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, "")));
    expect([...named].filter((n) => !registered.has(n))).toEqual([]);
  });
});
