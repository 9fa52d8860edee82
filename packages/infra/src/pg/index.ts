// The embedded implementations on PostgreSQL: bus, registry, presence, rate buckets.
export { PgBus, channelFor } from "./pg-bus";
export type { PgBusOptions } from "./pg-bus";
export { PgRegistry } from "./pg-registry";
export type { PgRegistryOptions } from "./pg-registry";
export { PgPresence } from "./pg-presence";
export type { PgPresenceOptions } from "./pg-presence";
export type { PgOptions } from "./pg-pool";
export { PgRateStore } from "./pg-rates";
export type { PgRateStoreOptions } from "./pg-rates";
