// In-process infrastructure: the hub and one node's handles on it (several nodes in one process).
import { composeInfra } from "../compose-infra";
import { AppError, ErrorCode } from "@dim/shared";
import type { Bus, Presence, RateStore, Registry } from "../types";
import { MemoryBus } from "./memory-bus";
import { MemoryHub } from "./memory-hub";
import { MemoryPresence } from "./memory-presence";
import { MemoryRateStore } from "./memory-rates";
import { MemoryRegistry } from "./memory-registry";

export { MemoryHub, MemoryBus, MemoryRegistry, MemoryPresence, MemoryRateStore };

export interface MemoryInfra {
  bus: Bus;
  registry: Registry;
  presence: Presence;
  rates: RateStore;
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
  const rates = sharedRates(hub.rates);
  return { ...composeInfra({ bus, registry, presence, rates }), hub };
}

/** One handle on the hub's buckets: closing it closes the handle, not the buckets other nodes share. */
function sharedRates(store: MemoryRateStore): RateStore {
  let closed = false;
  const open = () => {
    if (closed) throw new AppError(ErrorCode.Internal, "rate store is closed");
    return store;
  };
  return {
    take: async (name, key, limit) => open().take(name, key, limit),
    check: async (name, key, limit) => open().check(name, key, limit),
    reset: async (name, key) => open().reset(name, key),
    prune: async () => open().prune(),
    close: async () => {
      closed = true;
    },
  };
}
