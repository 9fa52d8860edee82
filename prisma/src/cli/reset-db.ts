/**
 * `npm run db:reset`: deletes the embedded dev database (.data/postgres). Refuses while the
 * server runs: stop `npm run dev` first. The next `npm run dev` creates a fresh one.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { REPO_ROOT } from "@dim/shared/node";
import { loadDevDbConfig } from "./dev-db-config";
import { probePort } from "./probe-port";

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}

async function main(): Promise<void> {
  const cfg = loadDevDbConfig();
  const where = cfg.dataDir.startsWith(REPO_ROOT) ? relative(REPO_ROOT, cfg.dataDir) : cfg.dataDir;
  const state = await probePort(cfg.port, cfg.urlFor("postgres"), cfg.dataDir);
  if (state.kind === "our-postgres") {
    throw new Error(`embedded PostgreSQL is running on port ${cfg.port}: stop \`npm run dev\` first, then run db:reset again. Nothing was deleted.`);
  }
  const pidFile = join(cfg.dataDir, "postmaster.pid");
  if (existsSync(pidFile)) {
    const pid = Number.parseInt(readFileSync(pidFile, "utf8").split("\n")[0] ?? "", 10);
    if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) {
      throw new Error(`a PostgreSQL server (pid ${pid}) is using ${where}: stop it first. Nothing was deleted.`);
    }
  }
  if (!existsSync(cfg.dataDir)) {
    console.log(`[db] nothing to reset: ${where} does not exist`);
    return;
  }
  rmSync(cfg.dataDir, { recursive: true, force: true });
  console.log(`[db] deleted ${where}; the next \`npm run dev\` creates and migrates a fresh database`);
}

main().catch((err: unknown) => {
  console.error(`[db] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
