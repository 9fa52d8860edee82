import { afterEach, describe, expect, it, vi } from "vitest";
import { freePort } from "@dim/shared/node";
import { ZkRegistry } from "../../src/cluster/zk-registry";
import type { NodeInfo } from "../../src/types";
import { clusterState, nodeId, testLogger } from "./cluster-env";
import { firstHostPort, TcpPartition } from "./tcp-partition";

function info(id: string, port = 7001): Omit<NodeInfo, "epoch" | "connections"> {
  return {
    nodeId: id,
    host: "127.0.0.1",
    wsPort: port,
    httpPort: port,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    startedAt: new Date().toISOString(),
  };
}

/** A proxy between one registry and ZooKeeper that the test can cut (see tcp-partition.ts). */
async function partitionable(): Promise<{ partition: TcpPartition; connect: string }> {
  const partition = new TcpPartition(firstHostPort(clusterState().zookeeper.connect));
  partitions.push(partition);
  return { partition, connect: await partition.start() };
}
const partitions: TcpPartition[] = [];

describe("ZkRegistry on a real ZooKeeper", () => {
  const registries: ZkRegistry[] = [];
  // each test file run gets its own root, so runs never see each other's nodes
  const root = `/dim-test-${Date.now().toString(36)}`;
  const newRegistry = (extra: Partial<ConstructorParameters<typeof ZkRegistry>[0]> = {}) => {
    const r = new ZkRegistry({
      connect: clusterState().zookeeper.connect,
      root,
      sessionTimeoutMs: 4_000,
      connectionsUpdateMs: 100,
      logger: testLogger,
      ...extra,
    });
    registries.push(r);
    return r;
  };
  afterEach(async () => {
    await Promise.all(registries.splice(0).map((r) => r.close()));
    await Promise.all(partitions.splice(0).map((p) => p.stop()));
  });

  it("registers nodes as ephemeral znodes; the gateway's watched live set follows joins, load and leaves", async () => {
    const gateway = newRegistry();
    expect(await gateway.liveNodes()).toEqual([]);

    const a = nodeId("a");
    const b = nodeId("b");
    const regA = await newRegistry().register(info(a, 7001));
    const regB = await newRegistry().register(info(b, 7002));
    expect(regB.epoch).toBeGreaterThan(regA.epoch);

    await vi.waitFor(async () => expect((await gateway.liveNodes()).map((n) => n.nodeId).sort()).toEqual([a, b].sort()), {
      timeout: 10_000,
      interval: 50,
    });
    const nodeA = (await gateway.liveNodes()).find((n) => n.nodeId === a)!;
    expect(nodeA).toMatchObject({ host: "127.0.0.1", wsPort: 7001, httpPort: 7001, wsUrl: "ws://127.0.0.1:7001/ws", epoch: regA.epoch, connections: 0 });

    // load reports are coalesced, and reach the gateway through the data watch
    for (let i = 1; i <= 20; i++) regA.setConnections(i);
    await vi.waitFor(async () => expect((await gateway.liveNodes()).find((n) => n.nodeId === a)?.connections).toBe(20), {
      timeout: 10_000,
      interval: 50,
    });
    // message rates ride the same coalesced load writes
    expect((await gateway.liveNodes()).find((n) => n.nodeId === a)?.messageRates).toEqual({ inPerSec: 0, outPerSec: 0 });
    regA.setMessageRates({ inPerSec: 7.25, outPerSec: 14 });
    await vi.waitFor(
      async () => expect((await gateway.liveNodes()).find((n) => n.nodeId === a)).toMatchObject({ connections: 20, messageRates: { inPerSec: 7.3, outPerSec: 14 } }),
      { timeout: 10_000, interval: 50 },
    );

    await regB.deregister();
    await regB.deregister(); // idempotent
    await vi.waitFor(async () => expect((await gateway.liveNodes()).map((n) => n.nodeId)).toEqual([a]), { timeout: 10_000, interval: 50 });
  });

  it("setDraining reaches the gateway's watched live set past the load-report rate, and load reports keep it", async () => {
    const gateway = newRegistry();
    const a = nodeId("drain");
    // A slow load-report rate: the draining write must not wait for it.
    const reg = await newRegistry({ connectionsUpdateMs: 60_000 }).register(info(a, 7003));
    reg.setConnections(1); // takes the one write the bucket holds
    await vi.waitFor(async () => expect((await gateway.liveNodes()).find((n) => n.nodeId === a)?.connections).toBe(1), { timeout: 10_000, interval: 50 });
    await reg.setDraining();
    await vi.waitFor(async () => expect((await gateway.liveNodes()).find((n) => n.nodeId === a)?.draining).toBe(true), { timeout: 10_000, interval: 50 });
    expect((await gateway.liveNodes()).find((n) => n.nodeId === a)?.connections).toBe(1);
  });

  it("a closed registry's node leaves the live set (graceful stop), and a new registration gets a higher epoch", async () => {
    const gateway = newRegistry();
    const id = nodeId("restart");
    const first = newRegistry();
    const reg1 = await first.register(info(id));
    await vi.waitFor(async () => expect((await gateway.liveNodes()).map((n) => n.nodeId)).toContain(id), { timeout: 10_000, interval: 50 });
    await first.close();
    await vi.waitFor(async () => expect((await gateway.liveNodes()).map((n) => n.nodeId)).not.toContain(id), { timeout: 10_000, interval: 50 });
    const reg2 = await newRegistry().register(info(id));
    expect(reg2.epoch).toBeGreaterThan(reg1.epoch);
    await vi.waitFor(async () => expect((await gateway.liveNodes()).find((n) => n.nodeId === id)?.epoch).toBe(reg2.epoch), {
      timeout: 10_000,
      interval: 50,
    });
  });

  it("session expiry fences the node (onLost, gone from the live set); it re-registers with a new epoch", async () => {
    const gateway = newRegistry();
    const id = nodeId("fence");
    const { partition, connect } = await partitionable();
    const node = newRegistry({ connect });
    const reg = await node.register(info(id));
    let lost = 0;
    reg.onLost(() => lost++);
    await vi.waitFor(async () => expect((await gateway.liveNodes()).map((n) => n.nodeId)).toContain(id), { timeout: 10_000, interval: 50 });

    // a partition longer than the 4 s session timeout: the node fences itself on its own clock,
    // and ZooKeeper expires the session and drops its ephemeral znode on its own
    partition.cut();
    await vi.waitFor(() => expect(lost).toBe(1), { timeout: 15_000, interval: 100 });
    await vi.waitFor(async () => expect((await gateway.liveNodes()).map((n) => n.nodeId)).not.toContain(id), { timeout: 15_000, interval: 100 });
    partition.heal();
    expect(lost).toBe(1);
    reg.setConnections(5); // a fenced registration writes nothing

    const again = await node.register(info(id)); // the registry opened a new session
    expect(again.epoch).toBeGreaterThan(reg.epoch);
    await vi.waitFor(async () => expect((await gateway.liveNodes()).find((n) => n.nodeId === id)?.epoch).toBe(again.epoch), {
      timeout: 10_000,
      interval: 50,
    });
    expect(lost).toBe(1);
  });

  it("the gateway's cache is rebuilt after its own session expires", async () => {
    const { partition, connect } = await partitionable();
    const gateway = newRegistry({ connect });
    const id = nodeId("gw");
    await gateway.liveNodes();
    const creds = gateway.sessionCredentials()!;
    partition.cut();
    // past the session timeout ZooKeeper has expired the session; heal, and the registry opens a new one
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    partition.heal();
    await vi.waitFor(() => expect(gateway.sessionCredentials()?.sessionId.equals(creds.sessionId)).toBe(false), { timeout: 20_000, interval: 100 });
    await newRegistry().register(info(id));
    await vi.waitFor(async () => expect((await gateway.liveNodes()).map((n) => n.nodeId)).toContain(id), { timeout: 20_000, interval: 100 });
  });

  it("refuses a node id another live session holds, after waiting for it", async () => {
    const id = nodeId("dup");
    await newRegistry().register(info(id));
    await expect(newRegistry({ registerWaitMs: 300 }).register(info(id))).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("ZooKeeper unreachable at start: bounded retries, then a clear error", async () => {
    const port = await freePort();
    const r = newRegistry({ connect: `127.0.0.1:${port}`, startAttempts: 2, connectTimeoutMs: 300, retryBaseMs: 50 });
    await expect(r.register(info(nodeId("x")))).rejects.toThrow(`ZooKeeper unreachable at 127.0.0.1:${port} after 2 attempts`);
  });

  it("rejects bad input with typed errors", async () => {
    await expect(newRegistry().register(info("bad/id"))).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(() => newRegistry({ root: "dim" })).toThrow(/absolute path/);
  });
});
