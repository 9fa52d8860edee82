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
 * nothing is left behind. One process failing stops the whole session, loudly.
 *
 *   tsx scripts/dev-cluster.ts [--keep-infra] [--no-web]
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { isAppError } from "../packages/shared/src/errors";
import { CLUSTER_DEV, loadDevConfig } from "../packages/shared/src/node/dev-config";
import { REPO_ROOT } from "../packages/shared/src/node/dev-secret";
import { busyPorts } from "../packages/shared/src/node/free-port";
import { DEFAULT_RUN_DIR } from "./infra/paths";
import { clusterEnv, liveState, type InfraState } from "./infra/state";

const args = process.argv.slice(2);
const KEEP_INFRA = args.includes("--keep-infra");
const WITH_WEB = !args.includes("--no-web");
const RUN_DIR = process.env.DIM_INFRA_RUN_DIR ?? DEFAULT_RUN_DIR;
const COLORS = ["\x1b[36m", "\x1b[35m", "\x1b[33m"];
const STOP_GRACE_MS = 20_000;

const tty = process.stdout.isTTY;
const label = (name: string, color: string) => (tty ? `${color}[${name}]\x1b[0m` : `[${name}]`);
const SELF = label("dev:cluster", "\x1b[1m");
const say = (line: string) => process.stdout.write(`${SELF} ${line}\n`);

interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<void>;
}
const children: Child[] = [];
let stopping: Promise<void> | undefined;
let startedInfra = false;
let exitCode = 0;

const hasSetpriv = !spawnSync("setpriv", ["--version"]).error;

function prefixLines(stream: NodeJS.ReadableStream | null, out: NodeJS.WritableStream, tag: string): void {
  if (!stream) return;
  createInterface({ input: stream }).on("line", (line) => out.write(`${tag} ${line}\n`));
}

/**
 * Starts a child in its own process group (Ctrl-C reaches only us, so we decide the order of the
 * stops), with a parent-death signal (if this script is killed, the child is told to stop too).
 */
function start(name: string, color: string, cmd: string, cmdArgs: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Child {
  const [file, argv] = hasSetpriv ? ["setpriv", ["--pdeathsig", "TERM", "--", cmd, ...cmdArgs]] : [cmd, cmdArgs];
  const proc = spawn(file, argv, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const tag = label(name, color);
  prefixLines(proc.stdout, process.stdout, tag);
  prefixLines(proc.stderr, process.stderr, tag);
  const exited = new Promise<void>((resolve) => {
    proc.once("exit", (code, signal) => {
      process.stdout.write(`${tag} exited (${signal ?? code})\n`);
      if (!stopping) {
        exitCode = 1;
        say(`${name} stopped unexpectedly: stopping everything`);
        void stopAll();
      }
      resolve();
    });
  });
  const child = { name, proc, exited };
  children.push(child);
  return child;
}

function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (!proc.pid || proc.exitCode !== null || proc.signalCode !== null) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    try {
      proc.kill(signal);
    } catch {
      /* gone */
    }
  }
}

async function stopChildren(): Promise<void> {
  for (const c of children) signalGroup(c.proc, "SIGTERM");
  const timer = setTimeout(() => {
    for (const c of children) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) say(`${c.name} did not stop in ${STOP_GRACE_MS / 1000}s: killing it`);
      signalGroup(c.proc, "SIGKILL");
    }
  }, STOP_GRACE_MS);
  await Promise.all(children.map((c) => c.exited));
  clearTimeout(timer);
  // whatever a child left in its group (Next's workers, esbuild) goes too
  for (const c of children) signalGroup(c.proc, "SIGKILL");
}

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
    await stopChildren();
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
    DIM_ALLOWED_ORIGINS: dev.allowedOrigins,
    DIM_LOG_PRETTY: process.env.DIM_LOG_PRETTY ?? "1",
  };
  delete env.NODE_ENV; // each process picks its own (Next dev sets development)

  if (WITH_WEB) {
    start("web", "\x1b[32m", process.execPath, ["--import", "tsx", "scripts/dev-web.ts"], {
      cwd: join(REPO_ROOT, "web"),
      env: { ...env, DIM_GATEWAY_PORT: String(gatewayPort) },
    });
  }
  for (const n of nodes) {
    start(n.id, n.color, process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: join(REPO_ROOT, "core-node"),
      env: { ...env, DIM_NODE_ID: n.id, DIM_NODE_PORT: String(n.port) },
    });
  }

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
