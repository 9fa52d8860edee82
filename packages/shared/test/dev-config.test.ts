import { describe, expect, it } from "vitest";
import { AppError, ErrorCode } from "../src/errors";
import { CLUSTER_DEV, devProcessEnv, EMBEDDED_DEV, loadDevConfig } from "../src/node/dev-config";

/** The INVALID_CONFIG message `fn` throws (fails the test when it does not throw one). */
function configError(fn: () => unknown): string {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(ErrorCode.InvalidConfig);
  return (error as AppError).message;
}

describe("the dev ports", () => {
  it("default to the PWA on 3000, nodes from 7001, PostgreSQL on 54320, and derive the database and origins from them", () => {
    expect(loadDevConfig({}, EMBEDDED_DEV)).toEqual({
      webPort: 3000,
      webHost: "127.0.0.1",
      nodes: [
        { id: "node-1", port: 7001 },
        { id: "node-2", port: 7002 },
      ],
      pgPort: 54320,
      databaseUrl: "postgresql://postgres:dim@127.0.0.1:54320/dim",
      allowedOrigins: "http://localhost:3000,http://127.0.0.1:3000",
      // A dead dev node is not restarted unless DIM_DEV_RESTART_DEAD_NODES_MS asks for it.
      restartDeadNodesMs: 0,
    });
    expect(loadDevConfig({}, CLUSTER_DEV).nodes.map((n) => n.port)).toEqual([7001, 7002, 7003]);
  });

  it("move together: the database URL follows the PostgreSQL port, the origins the PWA's port", () => {
    const dev = loadDevConfig({ DIM_GATEWAY_PORT: "3100", DIM_DEV_NODE_BASE_PORT: "7101", DIM_EMBEDDED_PG_PORT: "54420" }, EMBEDDED_DEV);
    expect(dev).toMatchObject({
      webPort: 3100,
      nodes: [
        { id: "node-1", port: 7101 },
        { id: "node-2", port: 7102 },
      ],
      databaseUrl: "postgresql://postgres:dim@127.0.0.1:54420/dim",
      allowedOrigins: "http://localhost:3100,http://127.0.0.1:3100",
    });
    const env = devProcessEnv({ PATH: "/bin", DIM_LOG_PRETTY: "0" }, dev);
    expect(env).toEqual({
      PATH: "/bin",
      DATABASE_URL: "postgresql://postgres:dim@127.0.0.1:54420/dim",
      DIM_ALLOWED_ORIGINS: "http://localhost:3100,http://127.0.0.1:3100",
      DIM_LOG_PRETTY: "0",
    });
  });

  it("keep an explicit DATABASE_URL and DIM_ALLOWED_ORIGINS", () => {
    const dev = loadDevConfig({ DATABASE_URL: "postgresql://u:p@db.example:5432/x", DIM_ALLOWED_ORIGINS: "https://chat.example", DIM_GATEWAY_PORT: "3100" }, EMBEDDED_DEV);
    expect([dev.databaseUrl, dev.allowedOrigins]).toEqual(["postgresql://u:p@db.example:5432/x", "https://chat.example"]);
  });

  it("list every bad port in one error", () => {
    const message = configError(() => loadDevConfig({ DIM_GATEWAY_PORT: "http", DIM_DEV_NODE_BASE_PORT: "0", DIM_EMBEDDED_PG_PORT: "70000" }, EMBEDDED_DEV));
    for (const name of ["DIM_GATEWAY_PORT", "DIM_DEV_NODE_BASE_PORT", "DIM_EMBEDDED_PG_PORT"]) expect(message).toContain(name);
  });

  it("refuse ports that collide or do not fit", () => {
    expect(configError(() => loadDevConfig({ DIM_GATEWAY_PORT: "7002" }, EMBEDDED_DEV))).toMatch(/DIM_GATEWAY_PORT: 7002 is one of the core nodes' ports \(7001–7002/);
    expect(configError(() => loadDevConfig({ DIM_GATEWAY_PORT: "7003" }, CLUSTER_DEV))).toMatch(/DIM_GATEWAY_PORT: 7003 is one of the core nodes' ports \(7001–7003/);
    expect(loadDevConfig({ DIM_GATEWAY_PORT: "7003" }, EMBEDDED_DEV).webPort).toBe(7003);
    const both = configError(() => loadDevConfig({ DIM_EMBEDDED_PG_PORT: "3000", DIM_DEV_NODE_BASE_PORT: "65535" }, EMBEDDED_DEV));
    expect(both).toMatch(/DIM_EMBEDDED_PG_PORT: 3000 is the gateway's port too/);
    expect(both).toMatch(/DIM_DEV_NODE_BASE_PORT: 2 core nodes need ports 65535–65536: at most 65534/);
    // dev:cluster starts no embedded PostgreSQL: its port cannot collide with anything there.
    expect(loadDevConfig({ DIM_EMBEDDED_PG_PORT: "7001" }, CLUSTER_DEV).pgPort).toBe(7001);
  });
});
