/**
 * The gateway's metrics in the deployment people run: the production web server (Next.js route
 * handlers, scripts/serve-web.ts) serves them on its own loopback listener (DIM_METRICS_PORT),
 * counting what came through /api/trpc; the public port has no /metrics.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@dim/shared/node";
import { sampleValue } from "@dim/shared/metrics";
import { startStack, type Stack } from "./helpers/stack";

let stack: Stack;
let metricsPort: number;

beforeAll(async () => {
  metricsPort = await freePort();
  stack = await startStack({ nodes: 0, webEnv: { DIM_METRICS_PORT: String(metricsPort) } });
}, 20 * 60_000);
afterAll(() => stack?.stop(), 60_000);

async function call(path: string, input: unknown): Promise<number> {
  const res = await fetch(`${stack.baseUrl}/api/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) });
  await res.arrayBuffer();
  return res.status;
}

describe("the Next.js gateway's metrics", () => {
  it("count registrations and logins by result on the metrics port, and are not on the public port", async () => {
    const username = `m_${randomBytes(5).toString("hex")}`;
    expect(await call("auth.register", { username, password: "correct horse battery" })).toBe(200);
    expect(await call("auth.login", { username, password: "not the password" })).toBe(401);

    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(sampleValue(text, "dim_gateway_registrations_total", { result: "ok" })).toBe(1);
    expect(sampleValue(text, "dim_gateway_logins_total", { result: "INVALID_CREDENTIALS" })).toBe(1);
    expect(sampleValue(text, "dim_gateway_procedure_duration_seconds_count", { procedure: "auth.register" })).toBe(1);
    expect(sampleValue(text, "nodejs_eventloop_lag_p99_seconds")).toBeGreaterThanOrEqual(0);

    const pub = await fetch(`${stack.baseUrl}/metrics`);
    expect(pub.status).toBe(404);
    expect(await pub.text()).not.toContain("dim_gateway");
  });
});
