/** Child processes for the web tests: started, awaited until ready, stopped in teardown. */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export interface RunningProcess {
  readonly label: string;
  readonly child: ChildProcess;
  /** Everything it printed so far (for failure messages). */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  label: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** Ready when a line of output satisfies this (or when `readyCheck` resolves true). */
  readyLine?: (line: string) => boolean;
  readyCheck?: () => Promise<boolean>;
  timeoutMs: number;
}

const MAX_OUTPUT = 200_000;

export async function startProcess(opts: StartOptions): Promise<RunningProcess> {
  const child = spawn(process.execPath, opts.args, {
    cwd: opts.cwd,
    env: opts.env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let ready = false;
  let markReady: () => void = () => {};
  const readyByLine = new Promise<void>((resolve) => (markReady = resolve));
  const onLine = (line: string) => {
    if (out.length < MAX_OUTPUT) out += `${line}\n`;
    if (!ready && opts.readyLine?.(line)) {
      ready = true;
      markReady();
    }
  };
  createInterface({ input: child.stdout! }).on("line", onLine);
  createInterface({ input: child.stderr! }).on("line", onLine);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  let stopping: Promise<void> | undefined;
  const handle: RunningProcess = {
    label: opts.label,
    child,
    output: () => out,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(killer);
      })();
      return stopping;
    },
  };

  const deadline = Date.now() + opts.timeoutMs;
  const polled = (async () => {
    if (!opts.readyCheck) return readyByLine;
    while (Date.now() < deadline && child.exitCode === null) {
      if (await opts.readyCheck().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    polled.then(() => "ready" as const),
    exited.then(() => "exited" as const),
    new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), opts.timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome !== "ready" || child.exitCode !== null) {
    await handle.stop();
    throw new Error(`${opts.label} did not become ready (${outcome}). Output:\n${out.slice(-8000)}`);
  }
  return handle;
}

/** Runs a node script to completion; rejects with its output when it fails or times out. */
export function runToCompletion(opts: { label: string; args: string[]; cwd: string; env: Record<string, string | undefined>; timeoutMs: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, opts.args, { cwd: opts.cwd, env: opts.env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const collect = (chunk: Buffer) => {
      if (out.length < MAX_OUTPUT) out += chunk.toString();
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${opts.label} failed (${signal ?? code}). Output:\n${out.slice(-8000)}`));
    });
  });
}
