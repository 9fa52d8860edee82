/**
 * `npm run dev` for core nodes: two node processes (node-1 on DIM_DEV_NODE_BASE_PORT, 7001 by
 * default, node-2 on the next port), so that cross-node routing happens even on one machine. They
 * use the embedded database on DIM_EMBEDDED_PG_PORT and accept the PWA's origins on
 * DIM_GATEWAY_PORT (packages/shared/src/node/dev-config.ts). Output is prefixed [node-1] /
 * [node-2]; SIGINT / SIGTERM are forwarded; this exits when both children have exited.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { isAppError } from "@dim/shared";
import { busyPorts, devProcessEnv, EMBEDDED_DEV, loadDevConfig, type DevConfig } from "@dim/shared/node";

const COLORS = ["\x1b[36m", "\x1b[35m", "\x1b[33m"];

const cwd = fileURLToPath(new URL("..", import.meta.url));
const children: ChildProcess[] = [];
let exitCode = 0;
let stopping = false;

function prefix(stream: NodeJS.ReadableStream, out: NodeJS.WritableStream, label: string): void {
  const rl = createInterface({ input: stream });
  rl.on("line", (line) => out.write(`${label} ${line}\n`));
}

function startNodes(dev: DevConfig): void {
  for (const [i, { id, port }] of dev.nodes.entries()) {
    const label = process.stdout.isTTY ? `${COLORS[i % COLORS.length]}[${id}]\x1b[0m` : `[${id}]`;
    // `node --import tsx` rather than the tsx CLI: no wrapper process between us and the node, so
    // signals and exit codes are the node's own.
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd,
      // A short drain when turbo stops us with SIGTERM (DIM_DRAIN_MS in the environment wins).
      env: { DIM_DRAIN_MS: "3000", ...devProcessEnv(process.env, dev), DIM_NODE_ID: id, DIM_NODE_PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    prefix(child.stdout!, process.stdout, label);
    prefix(child.stderr!, process.stderr, label);
    child.on("exit", (code, signal) => {
      process.stdout.write(`${label} exited (${signal ?? code})\n`);
      if (code !== 0 && code !== null) exitCode = code;
      if (!stopping) stopAll("SIGTERM"); // one node failing takes the dev session down, loudly
      if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
    });
    children.push(child);
    process.stdout.write(`${label} ws://127.0.0.1:${port}/ws   liveness http://127.0.0.1:${port}/livez   readiness http://127.0.0.1:${port}/readyz\n`);
  }
}

function stopAll(signal: NodeJS.Signals): void {
  stopping = true;
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

process.on("SIGINT", () => stopAll("SIGINT"));
process.on("SIGTERM", () => stopAll("SIGTERM"));

try {
  const dev = loadDevConfig(process.env, EMBEDDED_DEV);
  const busy = await busyPorts(dev.nodes.map((n) => ({ port: n.port, what: n.id })));
  if (busy.length > 0) {
    throw new Error(
      `port${busy.length > 1 ? "s" : ""} ${busy.join(", ")} already in use (another \`npm run dev\`?): ` +
        "choose others with DIM_DEV_NODE_BASE_PORT",
    );
  }
  if (!stopping) startNodes(dev);
} catch (err) {
  process.stderr.write(`[core-node dev] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(isAppError(err) ? 2 : 1);
}
