/**
 * One DIM core node composed exactly as core-node/src/main.ts does it (same config schema, store,
 * infrastructure, CoreNode), plus an IPC probe for the memory figures: {cmd: "mem"} answers
 * process.memoryUsage() after a full GC (run with --expose-gc) and the node's connection count;
 * {cmd: "drain"} drains the node (as SIGTERM does) and answers {drained: true} once it stopped.
 */
import { openDatabase, PrismaContactPresenceStore } from "@dim/db";
import { createInfra } from "@dim/infra";
import { CoreNode, loadNodeProcessConfig } from "@dim/core-node";
import { createLogger } from "@dim/shared/node";

const { node: config, infra: infraConfig } = loadNodeProcessConfig(process.env);
if (!config.tokenSecret) throw new Error("DIM_TOKEN_SECRET is required");
const log = createLogger("core-node");
const db = await openDatabase(config.databaseUrl, "dim-core-node", { log, cursorCollectMs: config.cursorCollectMs });
const infra = await createInfra(infraConfig, { databaseUrl: config.databaseUrl, logger: log });
const node = new CoreNode({
  config: { ...config, tokenSecret: config.tokenSecret },
  store: db.store,
  bus: infra.bus,
  registry: infra.registry,
  presence: infra.presence,
  contactPresence: new PrismaContactPresenceStore(db.prisma),
  logger: log,
});
const started = await node.start();
process.send?.({ ready: true, ...started });

process.on("message", (m) => {
  if ((m as { cmd?: string }).cmd === "drain") {
    void node.drain().then(() => process.send?.({ drained: true }));
    return;
  }
  if ((m as { cmd?: string }).cmd !== "mem") return;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  process.send?.({ mem: process.memoryUsage(), connections: node.connectionCount });
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 15_000).unref();
  await node.stop().catch(() => undefined);
  await infra.close().catch(() => undefined);
  await db.close().catch(() => undefined);
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
process.on("disconnect", () => void stop());
