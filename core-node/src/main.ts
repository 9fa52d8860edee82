/**
 * Composition root of a core node process: validated config → the database (openDatabase: wait,
 * migrate, Prisma, pool, store) → infrastructure (embedded or cluster, from DIM_MODE) → CoreNode.
 * The only place that installs signal handlers; it owns and closes what it creates, in reverse
 * order.
 */
import { ErrorCode, isAppError } from "@dim/shared";
import { createLogger, resolvePushConfig, resolveTokenSecret } from "@dim/shared/node";
import { assertMigrated, openDatabase, PrismaContactPresenceStore, PrismaPushStore, type OpenDatabase } from "@dim/db";
import { createInfra, instrumentBus, type Infra } from "@dim/infra";
import { loadNodeProcessConfig } from "./config";
import { CoreNode } from "./core-node";
import { NodeMetrics } from "./node-metrics";

/** A graceful stop (after the drain window) that takes longer than this is cut short. */
const SHUTDOWN_DEADLINE_MS = 15_000;

const log = createLogger("core-node");

async function main(): Promise<void> {
  const { node: config, infra: infraConfig, metrics: metricsConfig, push: pushEnv } = loadNodeProcessConfig(process.env);
  // Made before the store and the bus, which report into it.
  const metrics = new NodeMetrics();
  const tokenSecret = resolveTokenSecret(config.tokenSecret, infraConfig.DIM_MODE);
  const pushConfig = resolvePushConfig(pushEnv);
  const bootLog = log.child(config.nodeId ? { nodeId: config.nodeId } : {});

  let node: CoreNode | undefined;
  let infra: Infra | undefined;
  let db: OpenDatabase | undefined;
  let shuttingDown: Promise<void> | undefined;
  let lastSignalAt = 0;
  let stopNowAsked = false;
  // SIGTERM (what orchestrators send) drains over DIM_DRAIN_MS; a second signal stops now (the
  // rest of the sockets at once, 4503); a third exits. SIGINT (Ctrl-C at a terminal) stops now.
  const shutdown = (signal: string) => {
    if (shuttingDown) {
      if (signal === "admin") return; // asked again (another click, another curl): already draining or stopping
      // Ctrl-C reaches us several times at once (terminal, tsx, the dev script): only a later
      // signal means "stop waiting".
      if (Date.now() - lastSignalAt < 1000) return;
      lastSignalAt = Date.now();
      if (!stopNowAsked && node) {
        stopNowAsked = true;
        bootLog.warn({ signal }, "second signal: stopping now, without waiting for the drain");
        void node.stop();
        armDeadline(SHUTDOWN_DEADLINE_MS);
        return;
      }
      bootLog.warn({ signal }, "third signal: exiting now");
      process.exit(1);
    }
    lastSignalAt = Date.now();
    // An admin's drain (the metrics listener's POST /admin/drain, or the admin page over the bus) is a SIGTERM's.
    const drain = signal === "SIGTERM" || signal === "admin";
    if (drain) bootLog.info({ signal, drainMs: config.drainMs }, "draining, then stopping (SIGTERM again to stop now)");
    else bootLog.info({ signal }, "stopping");
    stopNowAsked = !drain;
    armDeadline((drain ? config.drainMs : 0) + SHUTDOWN_DEADLINE_MS);
    shuttingDown = (async () => {
      await (drain ? node?.drain() : node?.stop());
      await infra?.close();
      await db?.close();
    })();
    shuttingDown.then(
      () => exitAfterFlush(0),
      (err) => {
        bootLog.error({ err }, "error while stopping");
        exitAfterFlush(1);
      },
    );
  };
  const armDeadline = (ms: number) => {
    const deadline = setTimeout(() => {
      bootLog.error("graceful stop took too long; exiting");
      process.exit(1);
    }, ms);
    deadline.unref();
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));

  // The store's per-message statements go straight to node-postgres (prepared, no Prisma layer).
  db = await openDatabase(config.databaseUrl, "dim-core-node", {
    log: bootLog,
    cursorCollectMs: config.cursorCollectMs,
    onAppendBatch: metrics.appendBatch,
    eventWindows: config.eventWindows,
  });
  infra = await createInfra(infraConfig, { databaseUrl: config.databaseUrl, logger: log });
  if (shuttingDown) return;
  const pool = db.pool;
  node = new CoreNode({
    config: { ...config, tokenSecret },
    store: db.store,
    bus: instrumentBus(infra.bus, metrics.registry),
    registry: infra.registry,
    presence: infra.presence,
    contactPresence: new PrismaContactPresenceStore(db.prisma),
    push: { store: new PrismaPushStore(db.prisma), config: { ...pushConfig, ...config.pushSender } },
    logger: log,
    metrics,
    metricsListener: metricsConfig,
    onDrainRequested: (source) => {
      bootLog.info({ source }, "drain requested");
      shutdown("admin");
    },
    readinessChecks: {
      database: () => pool.query("SELECT 1"),
      migrations: () => assertMigrated(pool),
    },
  });
  const { nodeId, wsUrl, metricsUrl } = await node.start();
  log.info({ nodeId, wsUrl, metricsUrl, mode: infraConfig.DIM_MODE }, "ready");
}

/** Exits once pino (and a pretty transport's worker) wrote everything. */
function exitAfterFlush(code: number): void {
  const exit = () => process.exit(code);
  setTimeout(exit, 500).unref();
  log.flush(exit);
}

main().catch((err: unknown) => {
  if (isAppError(err) && err.code === ErrorCode.InvalidConfig) {
    log.fatal(err.message);
    // Also plainly on stderr: a person at a terminal reads the list, not a JSON line.
    process.stderr.write(`${err.message}\n`);
    exitAfterFlush(2);
    return;
  } else {
    log.fatal({ err }, "core node failed to start");
  }
  exitAfterFlush(1);
});
