/**
 * Composition root of the gateway (used by web/): validated config → PostgreSQL up and
 * migrated → Prisma, a pg pool for the hot statements (prepared: sessions, membership, history
 * pages), the message store and the infrastructure the mode asks for.
 */
import { createPgPool, createPrisma, migrate, PrismaMessageStore, waitForDatabase } from "@dim/db";
import { createInfra, infraConfigSchema } from "@dim/infra";
import { createLogger, loadConfig, type Logger } from "@dim/shared/node";
import { loadGatewayConfig } from "./config";
import { createGateway, type Gateway } from "./gateway";

export async function createGatewayFromEnv(
  env: Record<string, string | undefined> = process.env,
  opts: { logger?: Logger } = {},
): Promise<Gateway> {
  const logger = opts.logger ?? createLogger("gateway");
  const config = loadGatewayConfig(env);
  const infraConfig = loadConfig(infraConfigSchema, env, "infra");
  const dbLog = (line: string) => logger.info(line);
  await waitForDatabase(config.databaseUrl, { log: dbLog });
  await migrate(config.databaseUrl, { log: dbLog });
  const prisma = createPrisma(config.databaseUrl);
  const pool = createPgPool(config.databaseUrl, { applicationName: "dim-gateway" });
  const infra = await createInfra(infraConfig, { databaseUrl: config.databaseUrl, logger });
  const gateway = createGateway({
    prisma,
    pool,
    store: new PrismaMessageStore(prisma, { pool }),
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
        await pool.end();
        await prisma.$disconnect();
      })();
      return closing;
    },
  };
}
