/**
 * dev:cluster's process supervisor (scripts/dev/supervisor.ts) with real child processes (tiny
 * node scripts, no Kafka): kill -9 of one core node leaves the others running, is announced with
 * its signal, and the node is restarted after the delay when one is set; a critical child's
 * death ends the session; bad DIM_DEV_RESTART_DEAD_NODES_MS values are a typed error.
 */
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ErrorCode, isAppError } from "@dim/shared";
import { CLUSTER_DEV, loadDevConfig } from "@dim/shared/node";
import { Supervisor, type ChildSpec } from "../scripts/dev/supervisor";

const IDLE = "process.stdout.write(`up ${process.pid}\\n`); process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000);";

function node(name: string, extra: Partial<ChildSpec> = {}): ChildSpec {
  return { name, command: process.execPath, args: ["-e", IDLE], cwd: process.cwd(), env: process.env, ...extra };
}

let current: Supervisor | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

function supervise(restartDelayMs: number, onCriticalExit?: (name: string) => void) {
  const said: string[] = [];
  const out = new PassThrough();
  let output = "";
  out.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const supervisor = new Supervisor({
    restartDelayMs,
    say: (line) => said.push(line),
    ...(onCriticalExit ? { onCriticalExit } : {}),
    stdout: out,
    stderr: out,
    stopGraceMs: 5_000,
  });
  current = supervisor;
  return { supervisor, said, output: () => output };
}

const alive = (s: Supervisor, name: string) => {
  const p = s.process(name)!;
  return p.exitCode === null && p.signalCode === null;
};

async function allUp(s: Supervisor, output: () => string, names: string[]): Promise<void> {
  await vi.waitFor(() => {
    for (const n of names) expect(output()).toContain(`[${n}] up ${s.process(n)!.pid}`);
  }, { timeout: 10_000 });
}

describe("dev:cluster supervisor", () => {
  it("survives kill -9 of one node, says so with the signal, and restarts it after the delay", async () => {
    const { supervisor, said, output } = supervise(300);
    for (const n of ["node-1", "node-2", "node-3"]) supervisor.start(node(n));
    await allUp(supervisor, output, ["node-1", "node-2", "node-3"]);
    const victim = supervisor.process("node-2")!;
    const firstPid = victim.pid!;

    process.kill(firstPid, "SIGKILL");
    await vi.waitFor(() => expect(said.some((l) => l.includes("node-2 DIED (signal SIGKILL)"))).toBe(true), { timeout: 5_000 });
    expect(said.find((l) => l.includes("DIED"))).toMatch(/still running: node-1, node-3; restarting it in 300 ms/);
    expect(alive(supervisor, "node-1") && alive(supervisor, "node-3")).toBe(true);

    await vi.waitFor(() => expect(supervisor.restarts("node-2")).toBe(1), { timeout: 5_000 });
    const second = supervisor.process("node-2")!;
    expect(second.pid).not.toBe(firstPid);
    await vi.waitFor(() => expect(output()).toContain(`[node-2] up ${second.pid}`), { timeout: 10_000 });
    expect(alive(supervisor, "node-2")).toBe(true);
    expect(said).toContain(`node-2 restarted (restart #1, pid ${second.pid})`);

    await supervisor.stop();
    for (const n of ["node-1", "node-2", "node-3"]) expect(alive(supervisor, n)).toBe(false);
  }, 30_000);

  it("without a delay, the dead node stays down (exit code reported) and the others keep running", async () => {
    const { supervisor, said, output } = supervise(0);
    supervisor.start(node("node-1"));
    supervisor.start(node("node-2", { args: ["-e", "setTimeout(() => process.exit(7), 300)"] }));
    await allUp(supervisor, output, ["node-1"]);
    await vi.waitFor(() => expect(said.some((l) => l.includes("node-2 DIED (exit code 7)"))).toBe(true), { timeout: 5_000 });
    expect(said.find((l) => l.includes("DIED"))).toContain("it stays down");
    await new Promise((r) => setTimeout(r, 500));
    expect(supervisor.restarts("node-2")).toBe(0);
    expect(alive(supervisor, "node-1")).toBe(true);
  }, 30_000);

  it("a critical child's death is reported to the session (which stops everything)", async () => {
    const critical: string[] = [];
    const { supervisor, said, output } = supervise(300, (name) => critical.push(name));
    supervisor.start(node("node-1"));
    supervisor.start(node("web", { critical: true }));
    await allUp(supervisor, output, ["node-1", "web"]);
    process.kill(supervisor.process("web")!.pid!, "SIGKILL");
    await vi.waitFor(() => expect(critical).toEqual(["web"]), { timeout: 5_000 });
    expect(said.some((l) => l.includes("web DIED (signal SIGKILL): it is needed"))).toBe(true);
    expect(supervisor.restarts("web")).toBe(0);
  }, 30_000);

  it("a graceful stop restarts nothing", async () => {
    const { supervisor, output } = supervise(50);
    supervisor.start(node("node-1"));
    await allUp(supervisor, output, ["node-1"]);
    await supervisor.stop();
    await new Promise((r) => setTimeout(r, 200));
    expect(supervisor.restarts("node-1")).toBe(0);
    expect(alive(supervisor, "node-1")).toBe(false);
  }, 30_000);
});

describe("DIM_DEV_RESTART_DEAD_NODES_MS", () => {
  it("defaults to 0 (off) and takes milliseconds", () => {
    expect(loadDevConfig({}, CLUSTER_DEV).restartDeadNodesMs).toBe(0);
    expect(loadDevConfig({ DIM_DEV_RESTART_DEAD_NODES_MS: "3000" }, CLUSTER_DEV).restartDeadNodesMs).toBe(3000);
  });

  for (const bad of ["-1", "soon", "1.5", "600001"]) {
    it(`refuses '${bad}' with INVALID_CONFIG naming the variable`, () => {
      let error: unknown;
      try {
        loadDevConfig({ DIM_DEV_RESTART_DEAD_NODES_MS: bad }, CLUSTER_DEV);
      } catch (err) {
        error = err;
      }
      expect(isAppError(error) && error.code).toBe(ErrorCode.InvalidConfig);
      expect((error as Error).message).toContain("DIM_DEV_RESTART_DEAD_NODES_MS");
    });
  }
});
