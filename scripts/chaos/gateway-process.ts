/**
 * The gateway of a chaos run as its own process (so it can be killed with -9 and started again on
 * the same port): the standalone gateway over cluster-mode infrastructure (ZooKeeper registry,
 * Redis presence, Kafka bus), round-robin assignment, the per-address limits raised (every
 * simulated person registers and logs in from loopback). Logs {"msg":"chaos gateway ready","url"}.
 * Env: DATABASE_URL, DIM_TOKEN_SECRET, DIM_CHAOS_GATEWAY_PORT + the cluster addresses.
 */
import { z } from "zod";
import { gatewayServicesOf, startStandaloneGateway } from "@dim/api";
import { openDatabase } from "@dim/db";
import { createInfra, infraConfigSchema } from "@dim/infra";
import { createLogger, loadConfig } from "@dim/shared/node";

const env = loadConfig(
  z.object({ DATABASE_URL: z.string().min(1), DIM_TOKEN_SECRET: z.string().min(16), DIM_CHAOS_GATEWAY_PORT: z.coerce.number().int().min(1).max(65535) }),
  process.env,
  "chaos gateway",
);
const logger = createLogger("chaos-gateway");
const db = await openDatabase(env.DATABASE_URL, "dim-chaos-gateway");
const infra = await createInfra(loadConfig(infraConfigSchema, process.env, "infra"), { databaseUrl: env.DATABASE_URL, logger });
const gw = await startStandaloneGateway({
  port: env.DIM_CHAOS_GATEWAY_PORT,
  host: "127.0.0.1",
  ...gatewayServicesOf(db, infra),
  logger,
  config: {
    tokenSecret: env.DIM_TOKEN_SECRET,
    assignStrategy: "round-robin",
    registerMaxPerIp: 0,
    loginMaxAttempts: 1_000_000,
    loginMaxAttemptsPerIp: 1_000_000,
    groupWritesMaxPerUser: 1_000_000,
  },
});
process.stdout.write(`${JSON.stringify({ msg: "chaos gateway ready", url: gw.url })}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 10_000).unref();
  await gw.close().catch(() => undefined);
  await infra.close().catch(() => undefined);
  await db.close().catch(() => undefined);
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
