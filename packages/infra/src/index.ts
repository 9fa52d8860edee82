export type * from "./types";
export { MemoryHub, MemoryBus, MemoryRegistry, MemoryPresence, createMemoryInfra } from "./memory/index";
export type { MemoryInfra } from "./memory/index";
