// @dim/infra: the bus, registry, presence and rate-bucket seams, their implementations, and the node fan-out helper.
export type * from "./types";
export { MemoryHub, MemoryBus, MemoryRegistry, MemoryPresence, MemoryRateStore, createMemoryInfra } from "./memory/index";
export type { MemoryInfra } from "./memory/index";
export { PgBus, PgRegistry, PgPresence, PgRateStore, channelFor } from "./pg/index";
export type { PgBusOptions, PgRegistryOptions, PgPresenceOptions, PgRateStoreOptions, PgOptions } from "./pg/index";
export { infraConfigSchema, createInfra } from "./config";
export type { InfraConfig, InfraDeps, CreateClusterInfra } from "./config";
export { composeInfra } from "./compose-infra";
export { publishToUsers } from "./fanout/publish-to-users";
export type { PublishToUsers, FanOut } from "./fanout/publish-to-users";
export { DiskBlobStore, blobConfigSchema, createBlobStore, requireBlobKey } from "./blob/index";
export type { BlobStore, BlobRange, BlobConfig, S3BlobStore, S3BlobStoreOptions } from "./blob/index";
export { instrumentBus } from "./metrics/instrument-bus";
export { MAX_SOCKETS_PER_USER_LIMIT } from "./socket-cap";
export { normalRates } from "./message-rates";
