/**
 * `npm run dev` for core nodes: two node processes (node-1 on 7001, node-2 on 7002), so that
 * cross-node routing happens even on one machine. Output is prefixed [node-1] / [node-2];
 * SIGINT / SIGTERM are forwarded; this exits when both children have exited.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const NODES = [
  { id: "node-1", port: 7001, color: "\x1b[36m" },
  { id: "node-2", port: 7002, color: "\x1b[35m" },
] as const;

const cwd = fileURLToPath(new URL("..", import.meta.url));
const children: ChildProcess[] = [];
let exitCode = 0;
let stopping = false;

function prefix(stream: NodeJS.ReadableStream, out: NodeJS.WritableStream, label: string): void {
  const rl = createInterface({ input: stream });
  rl.on("line", (line) => out.write(`${label} ${line}\n`));
}

for (const { id, port, color } of NODES) {
  const label = process.stdout.isTTY ? `${color}[${id}]\x1b[0m` : `[${id}]`;
  // `node --import tsx` rather than the tsx CLI: no wrapper process between us and the node, so
  // signals and exit codes are the node's own.
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd,
    env: {
      ...process.env,
      DIM_NODE_ID: id,
      DIM_NODE_PORT: String(port),
      DIM_LOG_PRETTY: process.env.DIM_LOG_PRETTY ?? "1",
    },
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
}

function stopAll(signal: NodeJS.Signals): void {
  stopping = true;
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

process.on("SIGINT", () => stopAll("SIGINT"));
process.on("SIGTERM", () => stopAll("SIGTERM"));
