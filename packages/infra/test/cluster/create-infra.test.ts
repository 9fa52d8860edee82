import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "@dim/shared/node";
import { createInfra, infraConfigSchema } from "../../src/config";
import type { Infra } from "../../src/types";
import { withEnvelopes, type BusEnvelope } from "../helpers";
import { clusterEnv } from "../../../../scripts/infra/state";
import { clusterState, deliver, nodeId, testLogger } from "./cluster-env";

describe("createInfra in cluster mode (DIM_MODE=cluster)", () => {
  const opened: Infra[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((i) => i.close()));
  });

  it("wires Kafka, ZooKeeper and Redis from the validated environment", async () => {
    const state = clusterState();
    const env = { ...clusterEnv(state), DIM_ZK_ROOT: `/dim-test-${randomUUID().slice(0, 8)}`, DIM_KAFKA_PARTITIONS: "2" };
    const config = loadConfig(infraConfigSchema, env, "infra");
    const node = await createInfra(config, { databaseUrl: state.postgres.databaseUrl, logger: testLogger });
    const gateway = await createInfra(config, { databaseUrl: state.postgres.databaseUrl, logger: testLogger });
    opened.push(node, gateway);

    const id = nodeId("wired");
    const got: BusEnvelope[] = [];
    await withEnvelopes(node.bus).subscribe(id, async (e) => {
      got.push(e);
    });
    const reg = await node.registry.register({
      nodeId: id,
      host: "127.0.0.1",
      wsPort: 7101,
      httpPort: 7101,
      wsUrl: "ws://127.0.0.1:7101/ws",
      startedAt: new Date().toISOString(),
    });
    await vi.waitFor(async () => expect((await gateway.registry.liveNodes()).map((n) => n.nodeId)).toEqual([id]), {
      timeout: 10_000,
      interval: 50,
    });

    const user = randomUUID();
    await node.presence.claim([{ userId: user, nodeId: id, connectionId: "c1" }], 30_000);
    const routes = await gateway.presence.routesOf([user]);
    expect(routes).toEqual([{ userId: user, nodeId: id, connectionId: "c1" }]);

    const envelope = deliver(randomUUID(), 1, [user]);
    await withEnvelopes(gateway.bus).publish(routes[0]!.nodeId, envelope);
    await vi.waitFor(() => expect(got).toEqual([envelope]), { timeout: 60_000, interval: 100 });

    await reg.deregister();
    await node.bus.removeInbox!(id);
  });

  it("fails at boot with a clear error when ZooKeeper cannot be reached", async () => {
    const state = clusterState();
    const config = loadConfig(infraConfigSchema, { ...clusterEnv(state), DIM_ZK_CONNECT: "127.0.0.1:1" }, "infra");
    await expect(createInfra(config, { databaseUrl: state.postgres.databaseUrl, logger: testLogger })).rejects.toThrow(
      /ZooKeeper unreachable at 127\.0\.0\.1:1/,
    );
  });
});
