/**
 * The peer list of group fan-out over the real in-memory registry: one registry read per TTL,
 * a node heard announcing connections is listed at once (also while a read is in flight), and a
 * failed read keeps the last list.
 */
import { describe, expect, it } from "vitest";
import { createMemoryInfra } from "@dim/infra";
import type { Registry } from "@dim/infra";
import { createLogger } from "@dim/shared/node";
import { PeerNodes } from "../src/peer-nodes";

const logger = createLogger("peer-nodes-test");
const info = (nodeId: string) => ({ nodeId, host: "127.0.0.1", wsPort: 1, httpPort: 1, wsUrl: "ws://127.0.0.1:1/ws", startedAt: new Date().toISOString() });

function countingRegistry(registry: Registry) {
  const counted = {
    reads: 0,
    fail: false,
    liveNodes: async () => {
      counted.reads++;
      if (counted.fail) throw new Error("registry down");
      return registry.liveNodes();
    },
  };
  return counted;
}

describe("PeerNodes", () => {
  it("reads the registry once per TTL, without itself; heard nodes join at once; a failed read keeps the list", async () => {
    const infra = createMemoryInfra();
    await infra.registry.register(info("self"));
    await infra.registry.register(info("b"));
    const registry = countingRegistry(infra.registry);
    let now = 0;
    const peers = new PeerNodes({ nodeId: () => "self", registry, ttlMs: 1000, logger, now: () => now });
    expect(await peers.list()).toEqual(["b"]);
    await infra.registry.register(info("c"));
    expect(await peers.list()).toEqual(["b"]); // within the TTL
    expect(registry.reads).toBe(1);
    peers.heard("d");
    peers.heard("self");
    expect((await peers.list()).sort()).toEqual(["b", "d"]);
    now = 1000;
    // d is not (yet) in the registry's answer: kept for two TTLs after it was heard
    expect((await peers.list()).sort()).toEqual(["b", "c", "d"]);
    expect(registry.reads).toBe(2);

    // heard while a read is in flight: kept, even if that read predates it
    now = 2000;
    const reading = peers.list();
    peers.heard("e");
    expect((await reading).sort()).toEqual(["b", "c", "d", "e"]);
    now = 3000;
    expect((await peers.list()).sort()).toEqual(["b", "c", "e"]); // d: heard 3 s ago, never registered

    registry.fail = true;
    now = 4000;
    expect((await peers.list()).sort()).toEqual(["b", "c", "e"]);
    await infra.close();
  });
});
