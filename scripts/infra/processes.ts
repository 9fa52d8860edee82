/**
 * Child processes of the cluster services: each in its own process group (so it can be stopped as
 * a whole), its output appended to a log file, and — through `setpriv --pdeathsig` — signalled
 * when the process that started it dies, so a killed launcher leaves nothing behind.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { sleep } from "../../packages/shared/src/node/async/time";

/** Signals a whole process group (falls back to the single pid). Never throws. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

export function pidAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  // a zombie (exited, not yet reaped) counts as dead
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return true;
  }
}

export function processCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

export async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** kill -9 a process (its group too) and wait until it is gone. */
export async function kill9(pid: number): Promise<void> {
  killGroup(pid, "SIGKILL");
  await waitForPidExit(pid, 10_000);
}


let setprivChecked: boolean | undefined;
function canPdeathsig(): boolean {
  setprivChecked ??= !spawnSync("setpriv", ["--version"]).error;
  return setprivChecked;
}

export function tailFile(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** A long-running child in its own process group, output appended to a log file. */
export class ManagedProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  exitDescription: string | undefined;

  constructor(cmd: string, args: string[], readonly logFile: string, env?: NodeJS.ProcessEnv) {
    const out = openSync(logFile, "a");
    const [file, argv] = canPdeathsig() ? ["setpriv", ["--pdeathsig", "TERM", "--", cmd, ...args]] : [cmd, args];
    this.child = spawn(file, argv as string[], {
      detached: true, // own process group: stop/kill reaches every thread and child
      stdio: ["ignore", out, out],
      env: env ?? process.env,
    });
    closeSync(out);
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exitDescription = signal ? `killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
      this.child.once("error", (err) => {
        this.exitDescription = `failed to start: ${err.message}`;
        resolve();
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get running(): boolean {
    return this.exitDescription === undefined;
  }

  /** SIGTERM to the group, then SIGKILL after `graceMs`. Resolves once the process is gone. */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    killGroup(this.pid, "SIGTERM");
    const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
    if ((await Promise.race([this.exited.then(() => "exited" as const), timer])) === "timeout") {
      killGroup(this.pid, "SIGKILL");
      await this.exited;
    }
  }

  async kill9(): Promise<void> {
    if (!this.running) return;
    killGroup(this.pid, "SIGKILL");
    await this.exited;
  }
}

/** Polls `check` until it returns true; fails early, with the log's tail, if the process died. */
export async function waitHealthy(
  what: string,
  proc: ManagedProcess | undefined,
  check: () => Promise<boolean>,
  timeoutMs: number,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && !proc.running) {
      throw new Error(`${what} ${proc.exitDescription} before it was healthy; last log lines (${logFile}):\n${tailFile(logFile)}`);
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(`${what} not healthy after ${timeoutMs / 1000}s; last log lines (${logFile}):\n${tailFile(logFile)}`);
    }
    await sleep(250);
  }
}

/** Sends `payload` to host:port and resolves with what came back (until close or `expect` seen). */
export function tcpExchange(port: number, payload: string, expect: string, timeoutMs = 1500): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: "127.0.0.1", port });
    let data = "";
    const done = (err?: Error) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(data);
    };
    const timer = setTimeout(() => done(new Error("timeout")), timeoutMs);
    sock.on("connect", () => sock.write(payload));
    sock.on("data", (d) => {
      data += d.toString();
      if (data.includes(expect)) done();
    });
    sock.on("error", done);
    sock.on("close", () => done());
  });
}

export function ms(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

