/**
 * The process supervisor of `npm run dev:cluster`: starts each child in its own process group
 * (Ctrl-C reaches only the session script, which decides the order of the stops) with a
 * parent-death signal (if the script is killed, its children are told to stop too), prefixes
 * their output, and decides what a death means:
 *
 * - a `critical` child (the gateway) dying ends the session (`onCriticalExit`);
 * - any other (a core node) dying is announced loudly, with its exit code or signal, while the
 *   others keep running; with `restartDelayMs` > 0 it is started again after that delay, else it
 *   stays dead.
 *
 * `stop()` sends SIGTERM to every group, SIGKILL after the grace period; idempotent.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Its death ends the session instead of being survived. */
  critical?: boolean;
  /** How its output lines are prefixed (default `[name]`). */
  tag?: string;
}

export interface SupervisorOptions {
  /** Delay before a dead non-critical child is started again; 0 = never. */
  restartDelayMs: number;
  /** The supervisor's own lines. */
  say(line: string): void;
  /** A critical child died while the session was not stopping. */
  onCriticalExit?(name: string, exit: ExitInfo): void;
  /** Where children's output goes (default: this process's stdout / stderr). */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** SIGTERM → SIGKILL grace in stop() (default 20 s). */
  stopGraceMs?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Slot {
  spec: ChildSpec;
  proc: ChildProcess;
  exited: Promise<void>;
  restartTimer?: NodeJS.Timeout;
  restarts: number;
}

const hasSetpriv = !spawnSync("setpriv", ["--version"]).error;

export function describeExit({ code, signal }: ExitInfo): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

export class Supervisor {
  private readonly slots = new Map<string, Slot>();
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: SupervisorOptions) {}

  /** Starts a child (a name may be used once). */
  start(spec: ChildSpec): void {
    if (this.slots.has(spec.name)) throw new Error(`a child named '${spec.name}' is already supervised`);
    this.slots.set(spec.name, this.launch(spec, 0));
  }

  /** The current process of a child (a restarted child has a new one). */
  process(name: string): ChildProcess | undefined {
    return this.slots.get(name)?.proc;
  }

  /** How often a child was restarted. */
  restarts(name: string): number {
    return this.slots.get(name)?.restarts ?? 0;
  }

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private launch(spec: ChildSpec, restarts: number): Slot {
    const [file, argv] = hasSetpriv
      ? ["setpriv", ["--pdeathsig", "TERM", "--", spec.command, ...spec.args]]
      : [spec.command, spec.args];
    const proc = spawn(file, argv as string[], { cwd: spec.cwd, env: spec.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const tag = spec.tag ?? `[${spec.name}]`;
    prefixLines(proc.stdout, this.opts.stdout ?? process.stdout, tag);
    prefixLines(proc.stderr, this.opts.stderr ?? process.stderr, tag);
    const slot: Slot = { spec, proc, restarts, exited: Promise.resolve() };
    slot.exited = new Promise<void>((resolve) => {
      proc.once("exit", (code, signal) => {
        resolve();
        this.onExit(slot, { code, signal });
      });
    });
    return slot;
  }

  private onExit(slot: Slot, exit: ExitInfo): void {
    const { name } = slot.spec;
    if (this.stopping) {
      this.opts.say(`${name} exited (${describeExit(exit)})`);
      return;
    }
    if (slot.spec.critical) {
      this.opts.say(`!!! ${name} DIED (${describeExit(exit)}): it is needed, stopping everything`);
      this.opts.onCriticalExit?.(name, exit);
      return;
    }
    const alive = [...this.slots.values()].filter((s) => s !== slot && isRunning(s.proc)).map((s) => s.spec.name);
    const others = alive.length > 0 ? `still running: ${alive.join(", ")}` : "nothing else is running";
    if (this.opts.restartDelayMs > 0) {
      this.opts.say(`!!! ${name} DIED (${describeExit(exit)}); ${others}; restarting it in ${this.opts.restartDelayMs} ms`);
      slot.restartTimer = setTimeout(() => {
        if (this.stopping) return;
        const next = this.launch(slot.spec, slot.restarts + 1);
        this.slots.set(name, next);
        this.opts.say(`${name} restarted (restart #${next.restarts}, pid ${next.proc.pid})`);
      }, this.opts.restartDelayMs);
    } else {
      this.opts.say(
        `!!! ${name} DIED (${describeExit(exit)}); ${others}; it stays down (DIM_DEV_RESTART_DEAD_NODES_MS=3000 restarts dead nodes)`,
      );
    }
  }

  private async stopAll(): Promise<void> {
    const slots = [...this.slots.values()];
    for (const s of slots) clearTimeout(s.restartTimer);
    for (const s of slots) signalGroup(s.proc, "SIGTERM");
    const grace = this.opts.stopGraceMs ?? 20_000;
    const timer = setTimeout(() => {
      for (const s of slots) {
        if (isRunning(s.proc)) this.opts.say(`${s.spec.name} did not stop in ${grace / 1000}s: killing it`);
        signalGroup(s.proc, "SIGKILL");
      }
    }, grace);
    await Promise.all(slots.map((s) => s.exited));
    clearTimeout(timer);
  }
}

function isRunning(proc: ChildProcess): boolean {
  return proc.exitCode === null && proc.signalCode === null;
}

function prefixLines(stream: NodeJS.ReadableStream | null, out: NodeJS.WritableStream, tag: string): void {
  if (!stream) return;
  createInterface({ input: stream }).on("line", (line) => out.write(`${tag} ${line}\n`));
}

/** Signals the child's process group (the child itself if that fails). */
function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (!proc.pid || !isRunning(proc)) return;
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
