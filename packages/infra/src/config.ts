// Which infrastructure a process uses (validated from the environment), and createInfra, which builds it.
import { z } from "zod";
import type { Logger } from "@dim/shared/node";
import { PgBus } from "./pg/pg-bus";
import { createPool } from "./pg/pg-pool";
import { PgPresence } from "./pg/pg-presence";
import { PgRateStore } from "./pg/pg-rates";
import { PgRegistry } from "./pg/pg-registry";
import type { Infra } from "./types";
import { composeInfra } from "./compose-infra";

/** An env var that may be unset or empty (both mean "not given"). */
const env = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema);

const hostPort = z.string().regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/, "expected host:port");

/**
 * Which infrastructure a process uses, from the environment (validate with
 * `loadConfig(infraConfigSchema, process.env, "infra")`). Embedded (the default) keeps the bus,
 * registry and presence in the PostgreSQL of DATABASE_URL; cluster uses Kafka, ZooKeeper and Redis,
 * whose addresses are then required.
 */
export const infraConfigSchema = z
  .object({
    DIM_MODE: env(z.enum(["embedded", "cluster"]).default("embedded")),
    /** Comma-separated host:port list, e.g. `127.0.0.1:9092,127.0.0.1:9093`. */
    DIM_KAFKA_BROKERS: env(
      z
        .string()
        .transform((s) => s.split(",").map((b) => b.trim()).filter(Boolean))
        .pipe(z.array(hostPort).min(1, "at least one broker"))
        .optional(),
    ),
    DIM_KAFKA_PARTITIONS: env(z.coerce.number().int().min(1).max(1000).default(6)),
    DIM_KAFKA_REPLICATION: env(z.coerce.number().int().min(1).max(16).default(1)),
    /** ZooKeeper connection string, e.g. `127.0.0.1:2181` or `h1:2181,h2:2181`. */
    DIM_ZK_CONNECT: env(
      z
        .string()
        .regex(/^[^\s,]+:\d{1,5}(,[^\s,]+:\d{1,5})*(\/[^\s]*)?$/, "expected host:port[,host:port…]")
        .optional(),
    ),
    DIM_ZK_ROOT: env(
      z
        .string()
        .regex(/^(\/[A-Za-z0-9_.\-]+)+$/, "expected an absolute znode path such as /dim (no trailing slash)")
        .default("/dim"),
    ),
    DIM_REDIS_URL: env(
      z
        .string()
        .regex(/^rediss?:\/\/\S+$/, "expected redis://host:port or rediss://…")
        .optional(),
    ),
    /** How long a node stays live without refreshing its registration (embedded lease, ZK session). */
    DIM_REGISTRY_TTL_MS: env(z.coerce.number().int().min(1_000).max(300_000).default(10_000)),
  })
  .superRefine((c, ctx) => {
    if (c.DIM_MODE !== "cluster") return;
    const required = [
      ["DIM_KAFKA_BROKERS", c.DIM_KAFKA_BROKERS, "e.g. 127.0.0.1:9092"],
      ["DIM_ZK_CONNECT", c.DIM_ZK_CONNECT, "e.g. 127.0.0.1:2181"],
      ["DIM_REDIS_URL", c.DIM_REDIS_URL, "e.g. redis://127.0.0.1:6379"],
    ] as const;
    for (const [name, value, example] of required) {
      if (value === undefined) {
        ctx.addIssue({ code: "custom", path: [name], message: `${name} is required when DIM_MODE=cluster (${example})` });
      }
    }
  });

export type InfraConfig = z.infer<typeof infraConfigSchema>;

export interface InfraDeps {
  /** The embedded mode keeps its bus, registry and presence in this database. */
  databaseUrl: string;
  logger: Logger;
}

/** The entry point of cluster mode, exported by `./cluster/index`. */
export type CreateClusterInfra = (config: InfraConfig, deps: { logger: Logger }) => Promise<Infra>;

/** Picks the implementations from validated config; the caller owns the result and closes it. */
export async function createInfra(config: InfraConfig, deps: InfraDeps): Promise<Infra> {
  if (config.DIM_MODE === "cluster") {
    const createClusterInfra = await loadCluster();
    return createClusterInfra(config, { logger: deps.logger.child({ infra: "cluster" }) });
  }
  return createEmbeddedInfra(config, deps);
}

function createEmbeddedInfra(config: InfraConfig, deps: InfraDeps): Infra {
  const logger = deps.logger.child({ infra: "embedded" });
  // One pool for the four; the bus adds its own LISTEN connection.
  const pool = createPool(deps.databaseUrl, "dim-infra", logger, 6);
  const shared = { databaseUrl: deps.databaseUrl, pool };
  const bus = new PgBus({ ...shared, logger: logger.child({ part: "bus" }) });
  const registry = new PgRegistry({ ...shared, logger: logger.child({ part: "registry" }), ttlMs: config.DIM_REGISTRY_TTL_MS });
  const presence = new PgPresence({ ...shared, logger: logger.child({ part: "presence" }) });
  const rates = new PgRateStore({ ...shared, logger: logger.child({ part: "rates" }) });
  return composeInfra({ bus, registry, presence, rates }, () => pool.end());
}

async function loadCluster(): Promise<CreateClusterInfra> {
  // Loaded only in cluster mode, so embedded processes never load the Kafka, ZooKeeper and Redis clients.
  const { createClusterInfra } = await import("./cluster/index");
  return createClusterInfra;
}
