/**
 * Cluster mode: Kafka bus, ZooKeeper registry, Redis presence and rate buckets — loaded by `createInfra` (config.ts)
 * when DIM_MODE=cluster. See docs/cluster.md.
 */
import { AppError, ErrorCode } from "@dim/shared";
import type { Logger } from "@dim/shared/node";
import type { InfraConfig } from "../config";
import type { Infra } from "../types";
import { composeInfra } from "../compose-infra";
import { KafkaBus } from "./kafka/index";
import { RedisPresence } from "./redis-presence";
import { RedisRateStore } from "./redis-rates";
import { ZkRegistry } from "./zk-registry";

export { KafkaBus, topicFor, groupFor, TOPIC_PREFIX } from "./kafka/index";
export type { KafkaBusOptions, KafkaBusCounters } from "./kafka/index";
export { ZkRegistry } from "./zk-registry";
export type { ZkRegistryOptions } from "./zk-registry";
export { RedisPresence } from "./redis-presence";
export type { RedisPresenceOptions } from "./redis-presence";
export { RedisRateStore } from "./redis-rates";
export type { RedisRateStoreOptions } from "./redis-rates";

/** The subset of the validated infra config cluster mode reads. */
export type ClusterInfraConfig = Pick<
  InfraConfig,
  | "DIM_KAFKA_BROKERS"
  | "DIM_KAFKA_PARTITIONS"
  | "DIM_KAFKA_REPLICATION"
  | "DIM_ZK_CONNECT"
  | "DIM_ZK_ROOT"
  | "DIM_REDIS_URL"
  | "DIM_REGISTRY_TTL_MS"
>;

export async function createClusterInfra(config: ClusterInfraConfig, deps: { logger: Logger }): Promise<Infra> {
  const { DIM_KAFKA_BROKERS: brokers, DIM_ZK_CONNECT: zk, DIM_REDIS_URL: redisUrl } = config;
  if (!brokers?.length || !zk || !redisUrl) {
    throw new AppError(ErrorCode.InvalidConfig, "cluster mode needs DIM_KAFKA_BROKERS, DIM_ZK_CONNECT and DIM_REDIS_URL");
  }
  const logger = deps.logger;
  const registry = new ZkRegistry({
    connect: zk,
    root: config.DIM_ZK_ROOT,
    sessionTimeoutMs: config.DIM_REGISTRY_TTL_MS,
    logger: logger.child({ part: "registry" }),
  });
  const bus = new KafkaBus({
    brokers,
    partitions: config.DIM_KAFKA_PARTITIONS,
    replication: config.DIM_KAFKA_REPLICATION,
    logger: logger.child({ part: "bus" }),
  });
  try {
    await registry.ready(); // ZooKeeper unreachable at boot: a clear error after bounded retries
  } catch (err) {
    await registry.close();
    throw err;
  }
  const presence = new RedisPresence({ url: redisUrl, logger: logger.child({ part: "presence" }) });
  const rates = new RedisRateStore({ url: redisUrl, logger: logger.child({ part: "rates" }) });
  return composeInfra({ bus, registry, presence, rates });
}
