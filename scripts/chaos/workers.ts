/**
 * The runner's side of the client worker processes (worker.ts): forks them, hands each its
 * people, and sends the start / disconnect / settle commands. Every worker is killed on stop()
 * and when this process exits.
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../../packages/shared/src/node/dev-secret";
import { mergeWorkers, type WorkerHistory } from "./history";
import type { FromWorker, PersonSpec, ToWorker } from "./worker-messages";

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const p of live) p.kill("SIGKILL");
});

class Worker {
  readonly proc: ChildProcess;
  private readonly waiting = new Map<FromWorker["ev"], (m: FromWorker) => void>();
  private failure: Error | undefined;

  constructor(
    readonly index: number,
    private readonly mark: string,
  ) {
    this.proc = fork(join(REPO_ROOT, "scripts/chaos/worker.ts"), [], {
      cwd: REPO_ROOT,
      execArgv: ["--import", "tsx"],
      env: { ...process.env, NODE_ENV: "production", DIM_CHAOS_MARK: mark },
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    live.add(this.proc);
    this.proc.once("exit", (code, signal) => {
      live.delete(this.proc);
      this.fail(new Error(`client worker ${index} exited (${signal ?? code})`));
    });
    this.proc.on("message", (raw) => {
      const m = raw as FromWorker;
      if (m.ev === "error") return this.fail(new Error(`client worker ${index}: ${m.message}`));
      this.waiting.get(m.ev)?.(m);
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w({ ev: "error", message: err.message });
  }

  send(msg: ToWorker): void {
    if (this.proc.connected) this.proc.send(msg);
  }

  request<E extends FromWorker["ev"]>(msg: ToWorker, ev: E, timeoutMs: number): Promise<Extract<FromWorker, { ev: E }>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`client worker ${this.index}: no '${ev}' after ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(ev, (m) => {
        clearTimeout(timer);
        this.waiting.delete(ev);
        if (m.ev === "error") reject(this.failure ?? new Error(m.message));
        else resolve(m as Extract<FromWorker, { ev: E }>);
      });
      this.send(msg);
    });
  }
}

export class ClientWorkers {
  private readonly workers: Worker[] = [];
  private readonly owner = new Map<string, Worker>();

  /** Splits the people over `count` worker processes and connects every client. */
  constructor(private readonly mark: string) {}

  async setup(count: number, gatewayUrl: string, people: PersonSpec[], ratePerClient: number, window: number): Promise<void> {
    for (let i = 0; i < count; i++) this.workers.push(new Worker(i, this.mark));
    await Promise.all(
      this.workers.map((w, i) => {
        const mine = people.filter((_, j) => j % count === i);
        for (const p of mine) this.owner.set(p.userId, w);
        return w.request({ cmd: "setup", gatewayUrl, people: mine, ratePerClient, window }, "ready", 120_000);
      }),
    );
  }

  start(): void {
    for (const w of this.workers) w.send({ cmd: "start" });
  }

  /** Abruptly drops these clients' sockets; resolves with how many sockets were destroyed. */
  async disconnect(userIds: string[]): Promise<number> {
    const replies = await Promise.all(
      this.workers.map((w) => w.request({ cmd: "disconnect", userIds: userIds.filter((id) => this.owner.get(id) === w) }, "disconnected", 30_000)),
    );
    return replies.reduce((n, r) => n + r.count, 0);
  }

  async settle(timeoutMs: number, quietMs: number): Promise<WorkerHistory> {
    const parts = await Promise.all(this.workers.map((w) => w.request({ cmd: "settle", timeoutMs, quietMs }, "settled", timeoutMs + 30_000)));
    return mergeWorkers(parts.map((p) => p.history));
  }

  async held(): Promise<WorkerHistory["held"]> {
    const parts = await Promise.all(this.workers.map((w) => w.request({ cmd: "held" }, "held", 30_000)));
    return parts.flatMap((p) => p.held);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        if (w.proc.exitCode !== null || w.proc.signalCode !== null) return;
        const exited = new Promise((r) => w.proc.once("exit", r));
        w.send({ cmd: "exit" });
        const timer = setTimeout(() => w.proc.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
