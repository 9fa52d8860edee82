/**
 * A child process of the chaos run (a core node, the gateway): started through
 * `setpriv --pdeathsig KILL` where available (it dies with the runner, even on kill -9 of the
 * runner), output to a log file in the run directory, "ready" when a JSON log line matches.
 * kill9 / stop (SIGTERM, SIGKILL after a grace) / pause (SIGSTOP) / resume (SIGCONT).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

const hasSetpriv = !spawnSync("setpriv", ["--version"]).error;
const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

export interface ChildSpec {
  name: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logDir: string;
  /** Picks what "ready" means from a parsed JSON log line (returns the value to keep). */
  ready(entry: Record<string, unknown>): string | undefined;
}

export class Child {
  readonly proc: ChildProcess;
  readonly logFile: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readyValue: string | undefined;
  private readonly tail: string[] = [];
  private readonly waiters: Array<() => void> = [];

  constructor(readonly spec: ChildSpec) {
    const [file, argv] = hasSetpriv
      ? ["setpriv", ["--pdeathsig", "KILL", "--", process.execPath, ...spec.args]]
      : [process.execPath, spec.args];
    this.logFile = join(spec.logDir, `${spec.name}.log`);
    const out = createWriteStream(this.logFile, { flags: "a" });
    this.proc = spawn(file, argv as string[], { cwd: spec.cwd, env: spec.env, stdio: ["ignore", "pipe", "pipe"] });
    live.add(this.proc);
    this.exited = new Promise((resolve) =>
      this.proc.once("exit", (code, signal) => {
        live.delete(this.proc);
        out.end();
        for (const w of this.waiters.splice(0)) w();
        resolve({ code, signal });
      }),
    );
    for (const stream of [this.proc.stdout!, this.proc.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        out.write(`${line}\n`);
        this.tail.push(line);
        if (this.tail.length > 40) this.tail.shift();
        if (this.readyValue !== undefined || !line.startsWith("{")) return;
        try {
          const v = spec.ready(JSON.parse(line) as Record<string, unknown>);
          if (v !== undefined) {
            this.readyValue = v;
            for (const w of this.waiters.splice(0)) w();
          }
        } catch {
          /* not JSON */
        }
      });
    }
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Resolves with the ready value (e.g. the node's ws URL). */
  async ready(timeoutMs = 120_000): Promise<string> {
    if (this.readyValue === undefined) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${this.spec.name} not ready after ${timeoutMs} ms:\n${this.logTail()}`)), timeoutMs);
        this.waiters.push(() => {
          clearTimeout(timer);
          if (this.readyValue === undefined) reject(new Error(`${this.spec.name} exited before it was ready:\n${this.logTail()}`));
          else resolve();
        });
      });
    }
    return this.readyValue!;
  }

  async kill9(): Promise<void> {
    if (this.alive) this.proc.kill("SIGKILL");
    await this.exited;
  }

  async stop(graceMs = 20_000): Promise<void> {
    if (!this.alive) return;
    this.proc.kill("SIGCONT"); // a paused process cannot handle SIGTERM
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  pause(): void {
    if (this.alive) this.proc.kill("SIGSTOP");
  }

  resume(): void {
    if (this.alive) this.proc.kill("SIGCONT");
  }

  logTail(): string {
    return this.tail.map((l) => `  [${this.spec.name}] ${l}`).join("\n");
  }
}
