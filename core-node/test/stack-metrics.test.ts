/**
 * Metrics across the stack: the standalone gateway and a real core node, each with its metrics
 * listener on loopback. A user registers, fails a login, logs in, is sent to the node and sends a
 * message; both scrapes show it, and neither public port answers /metrics.
 */
import { randomUUID } from "node:crypto";
import { onTestFinished, describe, expect, it } from "vitest";
import { createMemoryInfra, MemoryHub } from "@dim/infra";
import { startStandaloneGateway } from "@dim/api";
import { createGatewayClient } from "@dim/client";
import { AppError, ErrorCode } from "@dim/shared";
import { parseMetrics, sampleValue, type Sample } from "@dim/shared/metrics";
import { clientMsgId, openSocket, startNode, TEST_SECRET, useTestDatabase } from "./helpers/cluster";

const db = useTestDatabase();
const LOOPBACK = { enabled: true, host: "127.0.0.1", port: 0, token: undefined };
const PASSWORD = "correct horse battery";

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return parseMetrics(await res.text());
}

describe("gateway and node metrics", () => {
  it("count registrations, logins by result, procedure calls and latency, errors, and the node's stored message", async () => {
    const hub = new MemoryHub();
    const node = await startNode(db, hub, { metricsListener: LOOPBACK });
    const infra = createMemoryInfra(hub);
    const gateway = await startStandaloneGateway({
      prisma: db.prisma,
      store: db.store,
      registry: infra.registry,
      presence: infra.presence,
      bus: infra.bus,
      config: { tokenSecret: TEST_SECRET },
      metricsListener: LOOPBACK,
    });
    onTestFinished(async () => {
      await gateway.close();
      await infra.close();
    });
    expect(gateway.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const before = await scrape(gateway.metricsUrl!);
    expect(sampleValue(before, "dim_gateway_logins_total", { result: "ok" })).toBe(0);

    const anon = createGatewayClient({ baseUrl: gateway.url });
    const [alice, bob] = [`alice_${randomUUID().slice(0, 6)}`, `bob_${randomUUID().slice(0, 6)}`];
    await anon.auth.register.mutate({ username: alice, password: PASSWORD });
    await anon.auth.register.mutate({ username: bob, password: PASSWORD });
    await expect(anon.auth.login.mutate({ username: alice, password: "wrong password!" })).rejects.toSatisfy(
      (e) => e instanceof AppError && e.code === ErrorCode.InvalidCredentials,
    );
    const session = await anon.auth.login.mutate({ username: alice, password: PASSWORD });
    const api = createGatewayClient({ baseUrl: gateway.url, sessionToken: session.sessionToken });
    const bobApi = createGatewayClient({
      baseUrl: gateway.url,
      sessionToken: (await anon.auth.login.mutate({ username: bob, password: PASSWORD })).sessionToken,
    });
    const request = await api.contacts.request.mutate({ username: bob });
    const { contact } = await bobApi.contacts.accept.mutate({ requestId: request.id });

    const assigned = await api.nodes.assign.mutate();
    expect(assigned.nodeId).toBe(node.nodeId);
    const socket = await openSocket(node);
    socket.send({ type: "auth", v: 1, token: assigned.token });
    await socket.next("welcome");
    socket.send({ type: "send", conversationId: contact.conversationId, clientMsgId: clientMsgId(), kind: "text", body: "hello" });
    await socket.next("sent");
    // Not a procedure: an error of the endpoint, and no series named after the made-up path.
    expect((await fetch(`${gateway.trpcUrl}/no.such.procedure`)).status).toBe(404);

    const g = await scrape(gateway.metricsUrl!);
    expect(sampleValue(g, "dim_gateway_registrations_total", { result: "ok" })).toBe(2);
    expect(sampleValue(g, "dim_gateway_logins_total", { result: "ok" })).toBe(2);
    expect(sampleValue(g, "dim_gateway_logins_total", { result: "INVALID_CREDENTIALS" })).toBe(1);
    expect(sampleValue(g, "dim_gateway_procedure_calls_total", { procedure: "auth.login", result: "ok" })).toBe(2);
    expect(sampleValue(g, "dim_gateway_procedure_calls_total", { procedure: "auth.login", result: "INVALID_CREDENTIALS" })).toBe(1);
    expect(sampleValue(g, "dim_gateway_procedure_calls_total", { procedure: "nodes.assign", result: "ok" })).toBe(1);
    expect(sampleValue(g, "dim_gateway_procedure_duration_seconds_count", { procedure: "auth.login" })).toBe(3);
    expect(sampleValue(g, "dim_gateway_errors_total", { code: "INVALID_CREDENTIALS" })).toBe(1);
    expect(sampleValue(g, "dim_gateway_errors_total", { code: "NOT_FOUND" })).toBe(1);
    expect(g.some((s) => s.labels.procedure === "no.such.procedure")).toBe(false);
    expect(sampleValue(g, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);

    const n = await scrape(node.metricsUrl!);
    expect(sampleValue(n, "dim_node_authenticated_connects_total")).toBe(1);
    expect(sampleValue(n, "dim_node_messages_stored_total")).toBe(1);

    for (const publicUrl of [`${gateway.url}/metrics`, node.httpUrl("/metrics")]) {
      const res = await fetch(publicUrl);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain("dim_");
    }
  });
});
