/**
 * Composition root of the gateway (used by web/): validated config (gateway and infra together)
 * → the database (openDatabase: PostgreSQL up and migrated, Prisma, a pg pool for the hot
 * statements — sessions, membership, history pages — and the message store) → the
 * infrastructure the mode asks for. Closing closes them in reverse.
 */
import { openDatabase } from "@dim/db";
import { createInfra } from "@dim/infra";
import { createLogger, type Logger } from "@dim/shared/node";
import { loadGatewayProcessConfig } from "./config";
import { createGateway, type Gateway } from "./gateway";

export async function createGatewayFromEnv(
  env: Record<string, string | undefined> = process.env,
  opts: { logger?: Logger } = {},
): Promise<Gateway> {
  const logger = opts.logger ?? createLogger("gateway");
  const { gateway: config, infra: infraConfig } = loadGatewayProcessConfig(env);
  const db = await openDatabase(config.databaseUrl, "dim-gateway", { log: (line) => logger.info(line) });
  const infra = await createInfra(infraConfig, { databaseUrl: config.databaseUrl, logger }).catch(async (err: unknown) => {
    await db.close();
    throw err;
  });
  const gateway = createGateway({
    prisma: db.prisma,
    pool: db.pool,
    store: db.store,
    registry: infra.registry,
    presence: infra.presence,
    bus: infra.bus,
    config,
    logger,
  });
  logger.info({ mode: config.mode, strategy: config.assignStrategy }, "gateway ready");
  let closing: Promise<void> | undefined;
  return {
    ...gateway,
    close() {
      closing ??= (async () => {
        await gateway.close();
        await infra.close();
        await db.close();
      })();
      return closing;
    },
  };
}
