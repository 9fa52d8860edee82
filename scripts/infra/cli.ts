/**
 * DIM's cluster services, started by the project (no Docker): Kafka (KRaft), ZooKeeper, Redis,
 * PostgreSQL and an S3 server (Versity Gateway) on free loopback ports, data under .infra/run/.
 *
 *   tsx scripts/infra/cli.ts up [--fresh] [--foreground]   start (detached by default) and wait until healthy
 *   tsx scripts/infra/cli.ts down [--clean]                stop everything (idempotent); --clean also deletes the data
 *   tsx scripts/infra/cli.ts status                        what runs where
 *   tsx scripts/infra/cli.ts env                           `export DIM_KAFKA_BROKERS=…` lines for a shell
 *   tsx scripts/infra/cli.ts restart|stop|start|kill9 <zookeeper|kafka|redis|postgres|s3>
 *
 * `up` hands the services to a detached supervisor process (it owns them; `down` asks it to stop
 * them, and falls back to killing their process groups). With --foreground the services live as
 * long as this command: Ctrl-C stops them all.
 */
import { spawn } from "node:child_process";
import { openSync, closeSync, rmSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { infraControl } from "./control";
import { startInfra, type RunningInfra } from "./infra";
import { jarsCached, ensureJars } from "./jars";
import { DEFAULT_RUN_DIR, VERSIONS } from "./paths";
import { ensureVersitygw, versitygwCached } from "./versitygw-build";
import { checkPrerequisites, MissingPrerequisiteError } from "./prereqs";
import { SERVICE_NAMES, killGroup, pidAlive, tailFile, waitForPidExit, type ServiceName } from "./services";
import { clusterEnv, isOurProcess, liveState, readState, removeState, type InfraState } from "./state";

const say = (line: string) => console.log(`[infra] ${line}`);
const args = process.argv.slice(2);
const command = args[0] ?? "help";
const flag = (name: string) => args.includes(`--${name}`);
const runDir = process.env.DIM_INFRA_RUN_DIR ?? DEFAULT_RUN_DIR;

function printSummary(state: InfraState) {
  say(`zookeeper ${state.zookeeper.version}  ${state.zookeeper.connect}  (pid ${state.zookeeper.pid})`);
  say(`kafka ${state.kafka.version}      ${state.kafka.brokers}  (pid ${state.kafka.pid})`);
  say(`redis ${state.redis.version}      ${state.redis.url}  (pid ${state.redis.pid})`);
  say(`postgres         ${state.postgres.databaseUrl}  (pid ${state.postgres.pid})`);
  say(`s3 (versitygw ${state.s3.version}) ${state.s3.endpoint}  (pid ${state.s3.pid})`);
  say(`environment for cluster mode (also: npm run -s infra:env):`);
  for (const [k, v] of Object.entries(clusterEnv(state))) console.log(`  ${k}=${v}`);
}

/** Stops services a previous owner left behind (owner gone, pids still ours). */
async function killLeftovers(state: InfraState) {
  // `state[n]?`: a state of an older launcher has no s3 entry
  const entries: Array<[ServiceName, number, number]> = SERVICE_NAMES.map((n) => [n, state[n]?.pid ?? 0, state[n]?.port ?? 0]);
  for (const [name, pid, port] of entries) {
    if (!pid || !isOurProcess(pid, state.runDir, port)) continue;
    say(`stopping leftover ${name} (pid ${pid}) …`);
    if (name === "postgres") process.kill(pid, "SIGINT"); // fast shutdown of the postmaster
    else killGroup(pid, "SIGTERM");
    if (!(await waitForPidExit(pid, 30_000))) killGroup(pid, "SIGKILL");
    await waitForPidExit(pid, 5_000);
  }
}

async function down(): Promise<number> {
  const state = readState(runDir);
  if (!state) {
    say("nothing is running");
    if (flag("clean")) rmSync(runDir, { recursive: true, force: true });
    return 0;
  }
  const t0 = Date.now();
  if (pidAlive(state.ownerPid) && state.ownerPid !== process.pid) {
    say(`asking the supervisor (pid ${state.ownerPid}) to stop the services …`);
    // graceful through the control endpoint (services stopped in order), else a signal
    const asked = await fetch(`${state.controlUrl}/shutdown`, { method: "POST", signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (!asked) process.kill(state.ownerPid, "SIGTERM");
    if (!(await waitForPidExit(state.ownerPid, 60_000))) {
      say(`supervisor did not stop in 60s: killing it`);
      killGroup(state.ownerPid, "SIGKILL");
      await waitForPidExit(state.ownerPid, 5_000);
    }
  }
  await killLeftovers(state);
  removeState(runDir);
  if (flag("clean")) {
    rmSync(runDir, { recursive: true, force: true });
    say(`data removed (${runDir})`);
  }
  say(`stopped (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  return 0;
}

async function foreground(): Promise<number> {
  let infra: RunningInfra | undefined;
  let exiting = false;
  const stop = async (code: number) => {
    if (exiting) return;
    exiting = true;
    say("stopping …");
    await infra?.shutdown();
    say("stopped");
    process.exit(code);
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => void stop(0));
  infra = await startInfra({ runDir, fresh: flag("fresh"), progress: say });
  printSummary(infra.state());
  say("running in the foreground: Ctrl-C stops everything");
  await new Promise(() => undefined);
  return 0;
}

/** Internal: the detached owner of the services. Progress goes to the parent over IPC and to the log. */
async function supervise(): Promise<number> {
  const progress = (line: string) => {
    console.log(`${new Date().toISOString()} ${line}`);
    if (process.connected) process.send?.({ type: "progress", line });
  };
  let infra: RunningInfra | undefined;
  let exiting = false;
  const stop = async () => {
    if (exiting) return;
    exiting = true;
    progress("supervisor: stopping services");
    await infra?.shutdown();
    progress("supervisor: stopped");
    process.exit(0);
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => void stop());
  process.on("disconnect", () => undefined);
  try {
    infra = await startInfra({ runDir, fresh: flag("fresh"), progress, onShutdownRequested: () => process.exit(0) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(message);
    if (process.connected) process.send?.({ type: "failed", error: message });
    process.exit(1);
  }
  if (process.connected) process.send?.({ type: "ready", state: infra.state() });
  process.disconnect?.();
  await new Promise(() => undefined);
  return 0;
}

async function up(): Promise<number> {
  const running = liveState(runDir);
  if (running) {
    say(`already running (supervisor pid ${running.ownerPid}); npm run infra:down stops it`);
    printSummary(running);
    return 0;
  }
  const stale = readState(runDir);
  if (stale && pidAlive(stale.ownerPid)) {
    console.error(`[infra] a supervisor of an older launcher runs (pid ${stale.ownerPid}, no S3 server): npm run infra:down first`);
    return 1;
  }
  if (stale) {
    await killLeftovers(stale);
    removeState(runDir);
  }
  if (flag("foreground")) return foreground();

  // prerequisites and jars here, so their messages reach the terminal directly
  checkPrerequisites({
    needMaven: !jarsCached("kafka", VERSIONS.kafka) || !jarsCached("zookeeper", VERSIONS.zookeeper),
    needGo: !versitygwCached(VERSIONS.versitygw),
  });
  await ensureJars("kafka", VERSIONS.kafka, say);
  await ensureJars("zookeeper", VERSIONS.zookeeper, say);
  await ensureVersitygw(VERSIONS.versitygw, say);

  mkdirSync(runDir, { recursive: true });
  const logFile = join(runDir, "supervisor.log");
  const out = openSync(logFile, "a");
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [...process.execArgv, self, "supervise", ...(flag("fresh") ? ["--fresh"] : [])], {
    detached: true,
    stdio: ["ignore", out, out, "ipc"],
    env: { ...process.env, DIM_INFRA_RUN_DIR: runDir },
  });
  closeSync(out);
  const interrupt = () => {
    say("interrupted: stopping what was started …");
    if (child.pid) killGroup(child.pid, "SIGTERM");
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  return new Promise<number>((resolve) => {
    let settled = false;
    child.on("message", (msg: { type: string; line?: string; state?: InfraState; error?: string }) => {
      if (msg.type === "progress" && msg.line) say(msg.line);
      if (msg.type === "ready" && msg.state) {
        settled = true;
        printSummary(msg.state);
        say(`supervisor pid ${child.pid} (log: ${logFile}); stop with: npm run infra:down`);
        child.disconnect();
        child.unref();
        resolve(0);
      }
      if (msg.type === "failed") {
        settled = true;
        console.error(`[infra] failed: ${msg.error}`);
        resolve(1);
      }
    });
    child.on("exit", (code, signal) => {
      if (settled) return;
      console.error(`[infra] supervisor ${signal ?? `exited with ${code}`} before the services were healthy:\n${tailFile(logFile)}`);
      resolve(1);
    });
  });
}

async function status(): Promise<number> {
  const state = liveState(runDir);
  if (!state) {
    say("not running (npm run infra:up)");
    return 1;
  }
  printSummary(state);
  for (const n of SERVICE_NAMES) {
    if (!pidAlive(state[n].pid)) say(`WARNING: ${n} (pid ${state[n].pid}) is not running`);
  }
  return 0;
}

async function main(): Promise<number> {
  switch (command) {
    case "up":
      return up();
    case "down":
      return down();
    case "status":
      return status();
    case "supervise":
      return supervise();
    case "env": {
      const state = liveState(runDir);
      if (!state) {
        console.error("[infra] not running (npm run infra:up)");
        return 1;
      }
      for (const [k, v] of Object.entries(clusterEnv(state))) console.log(`export ${k}=${v}`);
      return 0;
    }
    case "restart":
    case "stop":
    case "start":
    case "kill9": {
      const name = args[1] as ServiceName;
      if (!SERVICE_NAMES.includes(name)) {
        console.error(`usage: cli.ts ${command} <${SERVICE_NAMES.join("|")}>`);
        return 2;
      }
      const state = liveState(runDir);
      if (!state) {
        console.error("[infra] not running (npm run infra:up)");
        return 1;
      }
      const next = await infraControl(state.controlUrl)[command](name);
      say(`${name}: ${command} done (pid ${next[name].pid})`);
      return 0;
    }
    default:
      console.log("usage: tsx scripts/infra/cli.ts up [--fresh] [--foreground] | down [--clean] | status | env | restart|stop|start|kill9 <service>");
      return command === "help" ? 0 : 2;
  }
}

main().then(
  (code) => {
    if (command !== "supervise" && !(command === "up" && flag("foreground"))) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof MissingPrerequisiteError) console.error(err.message);
    else console.error(`[infra] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
