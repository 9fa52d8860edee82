/**
 * The DIM gateway as its own process (so its CPU is measured apart): the standalone gateway over
 * the infrastructure DIM_MODE names, with the bench's limits (registration and login limits
 * raised: every simulated user registers from a few loopback addresses; group writes raised: one
 * owner builds the group steps' groups; upload rate and daily bytes raised: the upload extras send
 * many large files as one user). With DIM_BLOB_DIR (embedded) or DIM_S3_ENDPOINT (cluster) set,
 * it has a blob store and serves /api/files; without, the file routes answer 503 as in production.
 * Env: DATABASE_URL, DIM_MODE (+ cluster addresses), DIM_TOKEN_SECRET. Reports {ready, url} over IPC.
 */
import { openDatabase } from "@dim/db";
import { gatewayServicesOf, startStandaloneGateway } from "@dim/api";
import { blobConfigSchema, createBlobStore, createInfra, infraConfigSchema } from "@dim/infra";
import { createLogger, loadConfig } from "@dim/shared/node";
import { z } from "zod";

const env = loadConfig(
  z.object({ DATABASE_URL: z.string().min(1), DIM_TOKEN_SECRET: z.string().min(16) }),
  process.env,
  "bench gateway",
);
const infraConfig = loadConfig(infraConfigSchema, process.env, "infra");
const logger = createLogger("bench-gateway");
// As in production (createGatewayFromEnv): prepared statements for sessions, membership, history.
const db = await openDatabase(env.DATABASE_URL, "dim-gateway");
const infra = await createInfra(infraConfig, { databaseUrl: env.DATABASE_URL, logger });
const blobs = process.env.DIM_BLOB_DIR || process.env.DIM_S3_ENDPOINT ? await createBlobStore(loadConfig(blobConfigSchema, process.env, "blobs")) : undefined;
const gw = await startStandaloneGateway({
  port: 0,
  ...(blobs ? { blobs } : {}),
  ...gatewayServicesOf(db, infra),
  logger,
  config: {
    tokenSecret: env.DIM_TOKEN_SECRET,
    registerMaxPerIp: 0,
    loginMaxAttempts: 1_000_000,
    loginMaxAttemptsPerIp: 1_000_000,
    socketTokenTtlMs: 30 * 60 * 1000,
    // The group steps' owner creates its groups and adds ~1,000 members in batches.
    groupWritesMaxPerUser: 1_000_000,
    uploadsMaxPerUser: 1_000_000,
    // The upload extras' memory samples may send more than the default 25 MB limit.
    ...(process.env.BENCH_UPLOAD_MAX_BYTES ? { uploadMaxBytes: Number(process.env.BENCH_UPLOAD_MAX_BYTES) } : {}),
    uploadBytesPerDay: 1024 ** 4,
  },
});
process.send?.({ ready: true, url: gw.url });

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 10_000).unref();
  await gw.close().catch(() => undefined);
  await blobs?.close().catch(() => undefined);
  await infra.close().catch(() => undefined);
  await db.close().catch(() => undefined);
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
process.on("disconnect", () => void stop());
