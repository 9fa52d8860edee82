import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@dim/db/testing";
import { createInfra, infraConfigSchema, type Infra } from "@dim/infra";
import { ErrorCode } from "@dim/shared";
import { createLogger, freePort, loadConfig, verifySocketToken } from "@dim/shared/node";
import { sampleValue } from "@dim/shared/metrics";
import { createGatewayFromEnv, startStandaloneGateway, type StandaloneGateway } from "../src/index";
import { clientFor, expectAppError, PASSWORD, TOKEN_SECRET } from "./helpers";

/** The composition web/ uses: env → migrated database → embedded (PostgreSQL-backed) infra. */
describe("createGatewayFromEnv (embedded mode)", () => {
  let db: TestDatabase;
  let server: StandaloneGateway;
  let nodeSide: Infra;
  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, DIM_TOKEN_SECRET: TOKEN_SECRET, DIM_MODE: "embedded" };
    server = await startStandaloneGateway({ gateway: await createGatewayFromEnv(env) });
    // A core node's side of the same embedded registry, in the same database.
    nodeSide = await createInfra(loadConfig(infraConfigSchema, env, "infra"), { databaseUrl: db.url, logger: createLogger("test") });
  });
  afterAll(async () => {
    await server?.close();
    await nodeSide?.close();
    await db?.drop();
  });

  it("serves register and assigns nodes registered by another process's registry", async () => {
    const anon = clientFor(server.trpcUrl);
    const session = await anon.auth.register.mutate({ username: "env_user", password: PASSWORD });
    const client = clientFor(server.trpcUrl, session.sessionToken);
    await expectAppError(client.nodes.assign.mutate(), ErrorCode.NoNodeAvailable);

    const reg = await nodeSide.registry.register({
      nodeId: "pg-node-1",
      host: "127.0.0.1",
      wsPort: 7101,
      httpPort: 7101,
      wsUrl: "ws://127.0.0.1:7101/ws",
      startedAt: new Date().toISOString(),
    });
    const assigned = await client.nodes.assign.mutate();
    expect(assigned).toMatchObject({ nodeId: "pg-node-1", wsUrl: "ws://127.0.0.1:7101/ws" });
    expect(verifySocketToken(assigned.token, { nodeId: "pg-node-1" }, TOKEN_SECRET).sub).toBe(session.user.id);
    await reg.deregister();
  });

  it("serves the gateway's metrics on the configured loopback port, not on the public one, until closed", async () => {
    const port = await freePort();
    const env = { DATABASE_URL: db.url, DIM_TOKEN_SECRET: TOKEN_SECRET, DIM_MODE: "embedded", DIM_METRICS_PORT: String(port) };
    const gw = await startStandaloneGateway({ gateway: await createGatewayFromEnv(env) });
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    try {
      await clientFor(gw.trpcUrl).auth.register.mutate({ username: "metrics_user", password: PASSWORD });
      const text = await (await fetch(metricsUrl)).text();
      expect(sampleValue(text, "dim_gateway_registrations_total", { result: "ok" })).toBe(1);
      expect(sampleValue(text, "dim_gateway_procedure_calls_total", { procedure: "auth.register", result: "ok" })).toBe(1);
      expect((await fetch(`${gw.url}/metrics`)).status).toBe(404);
    } finally {
      await gw.close();
    }
    await expect(fetch(metricsUrl)).rejects.toThrow(); // the listener closed with the gateway
  });
});
