/** Child processes of a bench run: forked TS scripts and spawned commands, all killed on exit. */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { sleep } from "@dim/shared/async";
export { sleep };

export const BENCH_SRC = dirname(fileURLToPath(import.meta.url));
export const REPO = join(BENCH_SRC, "..", "..");

const live = new Set<ChildProcess>();

/** Kills every child still running (SIGKILL). Called at exit and on signals. */
export function killAll(): void {
  for (const c of live) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        c.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  live.clear();
}
process.on("exit", killAll);

function track(c: ChildProcess, name: string, verbose: boolean): ChildProcess {
  live.add(c);
  c.once("exit", () => live.delete(c));
  // A command that cannot start (ENOENT) emits "error" instead of "exit": one line, not a crash.
  c.once("error", (err) => {
    live.delete(c);
    console.error(`  [${name}] could not start: ${err.message}`);
  });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => `  [${name}] ${l.slice(0, 400)}`)
      .join("\n");
  c.stdout?.on("data", (d: Buffer) => {
    if (verbose) console.log(prefix(d));
  });
  c.stderr?.on("data", (d: Buffer) => console.error(prefix(d)));
  return c;
}

/** Forks a TypeScript script of bench/src with tsx, with IPC. */
export function forkTs(script: string, name: string, env: Record<string, string> = {}, verbose = false, nodeArgs: string[] = []): ChildProcess {
  const c = fork(join(BENCH_SRC, script), [], {
    execArgv: [...nodeArgs, "--import", "tsx"],
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  return track(c, name, verbose);
}

export function spawnCmd(cmd: string, args: string[], name: string, env: Record<string, string> = {}, verbose = false): ChildProcess {
  const c = spawn(cmd, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  return track(c, name, verbose);
}

/** The first IPC message matching `pick`, or a rejection on exit / timeout. */
export function waitMessage<T>(c: ChildProcess, pick: (m: unknown) => T | undefined, what: string, timeoutMs = 120_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${what}: no answer in ${timeoutMs} ms`)), timeoutMs);
    const onMsg = (m: unknown) => {
      const v = pick(m);
      if (v !== undefined) done(undefined, v);
    };
    const onExit = (code: number | null, sig: string | null) => done(new Error(`${what}: process exited (${code ?? sig})`));
    function done(err?: Error, v?: T) {
      clearTimeout(timer);
      c.off("message", onMsg);
      c.off("exit", onExit);
      if (err) reject(err);
      else resolve(v as T);
    }
    c.on("message", onMsg);
    c.once("exit", onExit);
  });
}

/** SIGTERM, then SIGKILL after graceMs. Resolves once the process exited. */
export async function stopProcess(c: ChildProcess, graceMs = 8_000): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((r) => c.once("exit", () => r()));
  c.kill("SIGTERM");
  const timer = setTimeout(() => c.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}


/** Polls `check` every intervalMs until it returns true, at most timeoutMs. */
export async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 60_000, intervalMs = 200): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await sleep(intervalMs);
  }
  throw new Error(`${what}: not ready after ${timeoutMs} ms`);
}

/** Runs fn over items with at most `n` in flight. */
export async function mapLimit<T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}
