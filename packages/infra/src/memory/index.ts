// In-process infrastructure: the hub and one node's handles on it (several nodes in one process).
import { composeInfra } from "../compose-infra";
import type { Bus, Presence, Registry } from "../types";
import { MemoryBus } from "./memory-bus";
import { MemoryHub } from "./memory-hub";
import { MemoryPresence } from "./memory-presence";
import { MemoryRegistry } from "./memory-registry";

export { MemoryHub, MemoryBus, MemoryRegistry, MemoryPresence };

export interface MemoryInfra {
  bus: Bus;
  registry: Registry;
  presence: Presence;
  hub: MemoryHub;
  close(): Promise<void>;
}

/**
 * One node's handles on an in-process hub. Call it once per simulated node with the same hub
 * to run several nodes in one process (core-node's multi-node tests); without a hub you get a
 * fresh one.
 */
export function createMemoryInfra(hub: MemoryHub = new MemoryHub()): MemoryInfra {
  const bus = new MemoryBus(hub);
  const registry = new MemoryRegistry(hub);
  const presence = new MemoryPresence(hub);
  return { ...composeInfra({ bus, registry, presence }), hub };
}
