/**
 * Composition root of the gateway (used by web/): validated config (gateway and infra together)
 * → the database (openDatabase: PostgreSQL up and migrated, Prisma, a pg pool for the hot
 * statements — sessions, membership, history pages — and the message store) → the
 * infrastructure the mode asks for → the blob store (disk or S3) → the metrics listener
 * (DIM_METRICS_*). Closing closes them in reverse.
 */
import { openDatabase } from "@dim/db";
import { createBlobStore, createInfra } from "@dim/infra";
import { createLogger, type Logger } from "@dim/shared/node";
import { startMetricsServer } from "@dim/shared/metrics";
import { loadGatewayProcessConfig } from "./config";
import { createGateway, type Gateway } from "./gateway";
import { gatewayServicesOf } from "./gateway-services";

export async function createGatewayFromEnv(
  env: Record<string, string | undefined> = process.env,
  opts: { logger?: Logger } = {},
): Promise<Gateway> {
  const logger = opts.logger ?? createLogger("gateway");
  const { gateway: config, infra: infraConfig, blobs: blobConfig, metrics: metricsConfig } = loadGatewayProcessConfig(env);
  const db = await openDatabase(config.databaseUrl, "dim-gateway", { log: (line) => logger.info(line) });
  const infra = await createInfra(infraConfig, { databaseUrl: config.databaseUrl, logger }).catch(async (err: unknown) => {
    await db.close();
    throw err;
  });
  const blobs = await createBlobStore(blobConfig).catch(async (err: unknown) => {
    await infra.close();
    await db.close();
    throw err;
  });
  const gateway = createGateway({
    blobs,
    ...gatewayServicesOf(db, infra),
    config,
    logger,
  });
  // Its own listener (loopback unless a token protects it), never the public port.
  const metricsServer = metricsConfig.enabled
    ? await startMetricsServer(gateway.metrics.registry, metricsConfig, logger).catch(async (err: unknown) => {
        await gateway.close();
        await blobs.close();
        await infra.close();
        await db.close();
        throw err;
      })
    : undefined;
  logger.info({ mode: config.mode, strategy: config.assignStrategy, blobs: blobs.kind, metrics: metricsServer?.url }, "gateway ready");
  let closing: Promise<void> | undefined;
  return {
    ...gateway,
    close() {
      closing ??= (async () => {
        await metricsServer?.close();
        await gateway.close();
        await blobs.close();
        await infra.close();
        await db.close();
      })();
      return closing;
    },
  };
}
