/**
 * `npm run dev:cluster`: DIM in cluster mode for a person to use, on one machine.
 *
 *   1. the cluster services (Kafka, ZooKeeper, Redis, PostgreSQL) through the launcher: the ones
 *      `npm run infra:up` started are reused (and left running); otherwise they are started here
 *      (`infra:up`) and stopped again on exit (`infra:down`), unless `--keep-infra` is given;
 *   2. the gateway: the web app (Next.js dev server, which mounts the tRPC gateway) on
 *      http://localhost:3000 (DIM_GATEWAY_PORT);
 *   3. three core nodes (core-node/src/main.ts), node-1..node-3 on ports 7001–7003
 *      (DIM_DEV_NODE_BASE_PORT and the next two; see packages/shared/src/node/dev-config.ts).
 *
 * Everything runs with DIM_MODE=cluster, the launcher's addresses and a token secret generated
 * for this run. Output is prefixed by process. Ctrl-C (or SIGTERM) stops the gateway and the
 * nodes gracefully (each node deregisters and removes its topic), then the services it started;
 * nothing is left behind. The gateway failing stops the whole session; a core node dying is
 * announced loudly (exit code or signal) while the others keep running, and it is restarted after
 * DIM_DEV_RESTART_DEAD_NODES_MS when that is set (scripts/dev/supervisor.ts).
 *
 *   tsx scripts/dev-cluster.ts [--keep-infra] [--no-web]
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { isAppError } from "../packages/shared/src/errors";
import { CLUSTER_DEV, loadDevConfig } from "../packages/shared/src/node/dev-config";
import { REPO_ROOT } from "../packages/shared/src/node/dev-secret";
import { busyPorts } from "../packages/shared/src/node/free-port";
import { embeddedVapidKeys, vapidEnv } from "../packages/shared/src/node/push-config";
import { Supervisor } from "./dev/supervisor";
import { DEFAULT_RUN_DIR } from "./infra/paths";
import { clusterEnv, liveState, type InfraState } from "./infra/state";

const args = process.argv.slice(2);
const KEEP_INFRA = args.includes("--keep-infra");
const WITH_WEB = !args.includes("--no-web");
const RUN_DIR = process.env.DIM_INFRA_RUN_DIR ?? DEFAULT_RUN_DIR;
const COLORS = ["\x1b[36m", "\x1b[35m", "\x1b[33m"];

const tty = process.stdout.isTTY;
const label = (name: string, color: string) => (tty ? `${color}[${name}]\x1b[0m` : `[${name}]`);
const SELF = label("dev:cluster", "\x1b[1m");
const say = (line: string) => process.stdout.write(`${SELF} ${line}\n`);

let stopping: Promise<void> | undefined;
let supervisor: Supervisor | undefined;
let startedInfra = false;
let exitCode = 0;

function runCli(command: string[]): Promise<number> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "scripts/infra/cli.ts"), ...command], {
      cwd: REPO_ROOT,
      env: { ...process.env, DIM_INFRA_RUN_DIR: RUN_DIR },
      stdio: "inherit",
    });
    proc.once("exit", (code) => resolve(code ?? 1));
  });
}

function stopAll(): Promise<void> {
  stopping ??= (async () => {
    say("stopping the gateway and the core nodes …");
    await supervisor?.stop();
    if (startedInfra && !KEEP_INFRA) {
      say("stopping the services this session started …");
      await runCli(["down"]);
    } else if (startedInfra) {
      say("services left running (--keep-infra): npm run infra:down stops them");
    }
    say("stopped");
  })();
  return stopping;
}

async function waitHttp(url: string, ok: (res: Response) => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
      if (await ok(res)) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function ensureInfra(): Promise<InfraState> {
  const running = liveState(RUN_DIR);
  if (running) {
    say(`reusing the running cluster services (supervisor pid ${running.ownerPid}; npm run infra:down stops them)`);
    return running;
  }
  say("starting the cluster services (Kafka, ZooKeeper, Redis, PostgreSQL) …");
  startedInfra = true;
  const code = await runCli(["up"]);
  const state = liveState(RUN_DIR);
  if (code !== 0 || !state) throw new Error(`the cluster services did not start (infra:up exited with ${code})`);
  return state;
}

async function main(): Promise<void> {
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      if (stopping) return;
      say(`${sig}: stopping`);
      void stopAll().then(() => process.exit(exitCode));
    });
  }

  const dev = loadDevConfig(process.env, CLUSTER_DEV);
  const nodes = dev.nodes.map((n, i) => ({ ...n, color: COLORS[i % COLORS.length]! }));
  const gatewayPort = dev.webPort;
  const busy = await busyPorts([
    ...nodes.map((n) => ({ port: n.port, what: n.id })),
    ...(WITH_WEB ? [{ port: gatewayPort, what: "gateway" }] : []),
  ]);
  if (busy.length > 0) {
    throw new Error(
      `port${busy.length > 1 ? "s" : ""} ${busy.join(", ")} already in use (another \`npm run dev\` or \`dev:cluster\`?): ` +
        "choose others with DIM_GATEWAY_PORT / DIM_DEV_NODE_BASE_PORT",
    );
  }

  const state = await ensureInfra();
  if (stopping) return;
  const tokenSecret = randomBytes(32).toString("base64url");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...clusterEnv(state),
    DIM_TOKEN_SECRET: tokenSecret,
    // the data directory's pair: browsers' push subscriptions stay valid across restarts
    ...vapidEnv(embeddedVapidKeys()),
    DIM_ALLOWED_ORIGINS: dev.allowedOrigins,
    DIM_LOG_PRETTY: process.env.DIM_LOG_PRETTY ?? "1",
  };
  delete env.NODE_ENV; // each process picks its own (Next dev sets development)

  const children = new Supervisor({
    restartDelayMs: dev.restartDeadNodesMs,
    say,
    onCriticalExit: () => {
      exitCode = 1;
      void stopAll().then(() => process.exit(exitCode));
    },
  });
  supervisor = children;
  if (WITH_WEB) {
    children.start({
      name: "web",
      tag: label("web", "\x1b[32m"),
      critical: true,
      command: process.execPath,
      args: ["--import", "tsx", "scripts/dev-web.ts"],
      cwd: join(REPO_ROOT, "web"),
      env: { ...env, DIM_GATEWAY_PORT: String(gatewayPort) },
    });
  }
  for (const n of nodes) {
    children.start({
      name: n.id,
      tag: label(n.id, n.color),
      command: process.execPath,
      // `node --import tsx` rather than the tsx CLI: the signal and exit code are the node's own.
      args: ["--import", "tsx", "src/main.ts"],
      cwd: join(REPO_ROOT, "core-node"),
      // A short drain (SIGTERM to one node shows its clients moving in waves) that stays well
      // inside the supervisor's stop grace; DIM_DRAIN_MS in the environment wins.
      env: { DIM_DRAIN_MS: "3000", ...env, DIM_NODE_ID: n.id, DIM_NODE_PORT: String(n.port) },
    });
  }
  say(
    dev.restartDeadNodesMs > 0
      ? `a core node that dies is restarted after ${dev.restartDeadNodesMs} ms (DIM_DEV_RESTART_DEAD_NODES_MS)`
      : "a core node that dies stays down while the others run (DIM_DEV_RESTART_DEAD_NODES_MS=3000 restarts it)",
  );

  const nodesUp = await Promise.all(
    nodes.map((n) =>
      waitHttp(`http://127.0.0.1:${n.port}/readyz`, async (res) => res.ok, 120_000),
    ),
  );
  if (stopping) return;
  if (!nodesUp.every(Boolean)) throw new Error("the core nodes did not become ready within 120 s");
  say(`core nodes running: ${nodes.map((n) => `${n.id} ws://127.0.0.1:${n.port}/ws`).join(", ")}`);
  if (WITH_WEB) {
    say("waiting for the gateway (Next.js compiles it on first use) …");
    // Any answer from the gateway (401 for an anonymous auth.me) means it is mounted and connected.
    const gatewayUp = await waitHttp(`http://127.0.0.1:${gatewayPort}/api/trpc/auth.me`, async (res) => res.status < 500, 300_000);
    if (stopping) return;
    if (!gatewayUp) throw new Error("the gateway did not answer within 300 s");
  }
  say("────────────────────────────────────────────────────────────");
  say(`DIM cluster mode is up${WITH_WEB ? `: open http://localhost:${gatewayPort}` : ""}`);
  if (WITH_WEB) say(`  gateway   liveness http://127.0.0.1:${gatewayPort}/livez   readiness http://127.0.0.1:${gatewayPort}/readyz`);
  for (const n of nodes) say(`  ${n.id}    liveness http://127.0.0.1:${n.port}/livez   readiness http://127.0.0.1:${n.port}/readyz`);
  for (const [k, v] of Object.entries(clusterEnv(state))) say(`  ${k}=${v}`);
  say("  DIM_ZK_ROOT=/dim (default); token secret generated for this run");
  say("Ctrl-C stops everything");
  say("────────────────────────────────────────────────────────────");
}

main().catch((err: unknown) => {
  process.stderr.write(`${SELF} ${err instanceof Error ? err.message : String(err)}\n`);
  exitCode = isAppError(err) ? 2 : 1;
  void stopAll().then(() => process.exit(exitCode));
});
