/**
 * The harness: services → for each repetition, each system in turn (A/B/A/B…): start it, create
 * its users, connect them from forked load-generator processes, step the offered rate up until
 * saturation, stop it. Every server process's CPU is read from /proc around each step.
 */
import type { ChildProcess } from "node:child_process";
import { merge, percentiles, type Percentiles } from "./hdr";
import type { FromWorker, StepResult } from "./loadgen/messages";
import { cpuOverWindow, loadAverage, machineInfo } from "./proc-stats";
import { forkTs, killAll, stopProcess, waitMessage } from "./procs";
import { startServices, type Services } from "./services";
import { GROUP_SYSTEMS, PAIR_SYSTEMS, plan, startSystem, toSpecs, type RunningSystem, type SystemName } from "./systems";
import { runGroupSystem, type GroupOptions, type GroupRun } from "./group-run";
import { summarizeGroups, type GroupSummary } from "./group-summary";
import { measureDimExtras, type DimExtras } from "./extras";
import { measureConnectionExtras } from "./extras-connections";
import { measureUploadExtras, type UploadOptions } from "./extras-uploads";

export interface BenchOptions {
  mode: "embedded" | "cluster";
  systems: SystemName[];
  reps: number;
  rates: number[];
  warmupMs: number;
  durationMs: number;
  drainMs: number;
  pairs: number;
  servers: number;
  workers: number;
  /** Share of pairs whose two ends are on different servers. */
  crossShare: number;
  /** Same-node p99 objective, ms. */
  objectiveMs: number;
  /** Cross-node p99 objective, ms (also required of a step when set). */
  crossObjectiveMs?: number;
  /** The ladder stops at the first step with < 95% delivered or p99 above this (ms). */
  stopMs: number;
  bodyBytes: number;
  /** DIM: a `typing` frame before each message, at most one per socket per conversation per 3 s (`--typing`). */
  typing?: boolean;
  /** Connection/memory, connects/s, logins/s and history figures for DIM (scaled by the values). */
  extras: {
    connections: number[];
    logins: number;
    historyMessages: number;
    /** Load processes per connect batch, and connects in flight in each. */
    connectProcesses: number;
    connectInFlight: number;
    /** The connecting client: lean (raw WebSocket, authenticate and idle) or the `ws` client of the throughput runs. */
    connectClient: "lean" | "ws";
    /** Upload throughput, image time per megapixel, gateway memory during a large upload. */
    uploads: UploadOptions;
    /** Only this part of the extras (`--extras connections`, `--extras uploads`). */
    only?: "connections" | "uploads";
  } | null;
  /** Skip the throughput ladder: extras only (`--extras-only`). */
  extrasOnly?: boolean;
  /** The pairs ladder (default on); off for a groups-only run. */
  pairLadder?: boolean;
  /** Group steps (sizes × rates) of the group systems (dim, socketio-rooms); null or absent: none. */
  groups?: GroupOptions | null;
  quick: boolean;
  verbose: boolean;
  /** Extra environment for DIM core nodes (profiling). */
  nodeEnv?: Record<string, string>;
  log: (line: string) => void;
}

export interface StepSummary {
  rate: number;
  sent: number;
  delivered: number;
  acked: number;
  deliveredRatio: number;
  /** Delivered messages per second of the measured window. */
  achievedPerSec: number;
  errors: number;
  errorSamples: string[];
  /** `--typing`: typing frames written / received in the measured window (received ≈ drained too). */
  typingSent: number;
  typingReceived: number;
  maxSendLagMs: number;
  sameE2E: Percentiles;
  crossE2E: Percentiles;
  ack: Percentiles;
  /**
   * CPU seconds of each server process (tree) during the measured window (`windowSeconds` long,
   * read from /proc at its start and end), their total, and the load generators' (whole step).
   */
  cpu: { byProcess: Record<string, number>; serverTotal: number; loadgen: number; windowSeconds: number };
  /** Delivered messages of the measured window per server CPU-second of that window. */
  msgsPerCpuSecond: number;
  /** Met the objective (same-node p99, ≥ 95% delivered, generator on time, < 1% errors). */
  ok: boolean;
  reason?: string;
  /** ≥ 95% delivered with p99 under the stop bound: counts for the throughput capacity. */
  delivering: boolean;
  load1: number;
}

export interface SystemRun {
  system: SystemName;
  rep: number;
  servers: number;
  pairs: number;
  connections: number;
  connectMs: number;
  steps: StepSummary[];
  /** Highest offered rate whose step met the objective (0 if none; a lower step may have missed it: the machine is shared). */
  maxSustained: number;
  /** Highest delivered/s of a step that still delivered ≥ 95% with p99 under the stop bound. */
  maxThroughput: number;
  error?: string;
}

export interface Spread {
  values: number[];
  min: number;
  median: number;
  max: number;
}

export interface BenchResult {
  version: 1;
  startedAt: string;
  finishedAt: string;
  machine: ReturnType<typeof machineInfo>;
  loadBefore: ReturnType<typeof loadAverage>;
  loadAfter: ReturnType<typeof loadAverage>;
  options: Omit<BenchOptions, "log">;
  runs: SystemRun[];
  summary: {
    maxSustained: Partial<Record<SystemName, Spread>>;
    maxThroughput: Partial<Record<SystemName, Spread>>;
    /** DIM / baseline of maxSustained, per repetition. */
    ratios: Partial<Record<SystemName, Spread>>;
    /** DIM / baseline of maxThroughput, per repetition. */
    throughputRatios: Partial<Record<SystemName, Spread>>;
    /** DIM at the highest sustained step and at about half of it (median over repetitions). */
    dimAtHalf?: { rate: number; sameP99: number; crossP99: number; ackP99: number };
    /** DIM at the step nearest half its capacity (the saturation rate), medians over repetitions. */
    dimAtHalfCapacity?: { capacity: number; rate: number; sameP50: number; sameP99: number; crossP50: number; crossP99: number; ackP99: number; msgsPerCpuSecond: number };
  };
  extras?: DimExtras;
  /** Group steps, per system and repetition (interleaved as the pairs runs). */
  groupRuns?: GroupRun[];
  groupSummary?: GroupSummary;
}

export function spread(values: number[]): Spread {
  const v = [...values].sort((a, b) => a - b);
  const median = v.length === 0 ? 0 : v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  return { values, min: v[0] ?? 0, median: Math.round(median * 1000) / 1000, max: v.at(-1) ?? 0 };
}

interface Worker {
  proc: ChildProcess;
  results: StepResult[];
}

async function startWorkers(sys: RunningSystem, opts: BenchOptions): Promise<{ workers: Worker[]; connections: number; connectMs: number }> {
  const pairs = plan(opts.pairs, sys.servers, opts.crossShare);
  const prepared = await sys.prepare(pairs, (l) => opts.log(`  [${sys.name}] ${l}`));
  const specs = toSpecs(prepared, pairs, opts.workers, 50);
  const workers = specs.map((_, i) => ({ proc: forkTs("loadgen/worker.ts", `load-${i + 1}`, {}, opts.verbose), results: [] as StepResult[] }));
  for (const w of workers) {
    w.proc.on("message", (m: FromWorker) => {
      if (m.ev === "log") opts.log(`  [load] ${m.line}`);
    });
  }
  const readies = await Promise.all(
    workers.map((w, i) => {
      const ready = waitMessage(w.proc, (m) => ((m as FromWorker).ev === "ready" ? (m as Extract<FromWorker, { ev: "ready" }>) : undefined), "load generator setup", 300_000);
      w.proc.send({ cmd: "setup", system: sys.kind, conns: specs[i]!.conns, pairs: specs[i]!.pairs, connectConcurrency: 50, typing: opts.typing === true });
      return ready;
    }),
  );
  const failed = readies.reduce((a, r) => a + r.failed, 0);
  const connections = readies.reduce((a, r) => a + r.connected, 0);
  if (failed > 0) throw new Error(`${failed} connections failed: ${readies.find((r) => r.firstError)?.firstError}`);
  return { workers, connections, connectMs: Math.max(...readies.map((r) => r.connectMs)) };
}

async function runStep(sys: RunningSystem, workers: Worker[], step: number, rate: number, opts: BenchOptions): Promise<StepSummary> {
  // CPU of the measured window: the load processes start 20 ms after the step command, measure
  // after the warm-up for durationMs (IPC adds well under a millisecond on this machine)
  const cpuWindow = cpuOverWindow(sys.processes(), 20 + opts.warmupMs, opts.durationMs);
  const results = await Promise.all(
    workers.map((w) => {
      const r = waitMessage(w.proc, (m) => ((m as FromWorker).ev === "step" ? (m as Extract<FromWorker, { ev: "step" }>).result : undefined), "step", opts.warmupMs + opts.durationMs + opts.drainMs + 60_000);
      w.proc.send({ cmd: "step", step, ratePerSec: rate / workers.length, warmupMs: opts.warmupMs, durationMs: opts.durationMs, drainMs: opts.drainMs, bodyBytes: opts.bodyBytes });
      return r;
    }),
  );
  const byProcess = await cpuWindow;
  const serverTotal = round3(Object.values(byProcess).reduce((a, b) => a + b, 0));
  const sum = (f: (r: StepResult) => number) => results.reduce((a, r) => a + f(r), 0);
  const sent = sum((r) => r.sent);
  const delivered = sum((r) => r.delivered);
  const acked = sum((r) => r.acked);
  const errors = sum((r) => r.errors);
  const sameE2E = percentiles(merge(results.map((r) => r.sameE2E)));
  const crossE2E = percentiles(merge(results.map((r) => r.crossE2E)));
  const ack = percentiles(merge(results.map((r) => r.ack)));
  const maxSendLagMs = Math.max(...results.map((r) => r.maxSendLagMs));
  const deliveredRatio = sent === 0 ? 0 : delivered / sent;
  const expected = (rate * opts.durationMs) / 1000;
  let reason: string | undefined;
  const sameOrAll = sameE2E.count > 0 ? sameE2E : crossE2E;
  if (deliveredRatio < 0.95) reason = `delivered ${(deliveredRatio * 100).toFixed(1)}% < 95%`;
  else if (sameOrAll.p99 > opts.objectiveMs) reason = `same-node p99 ${sameOrAll.p99} ms > ${opts.objectiveMs} ms`;
  else if (opts.crossObjectiveMs !== undefined && crossE2E.count > 0 && crossE2E.p99 > opts.crossObjectiveMs) reason = `cross-node p99 ${crossE2E.p99} ms > ${opts.crossObjectiveMs} ms`;
  else if (sent < expected * 0.95 - workers.length) reason = `generator sent only ${sent} of ${Math.round(expected)}`;
  else if (errors > sent * 0.01) reason = `${errors} errors`;
  const summary: StepSummary = {
    rate,
    sent,
    delivered,
    acked,
    deliveredRatio: round3(deliveredRatio),
    achievedPerSec: Math.round(delivered / (opts.durationMs / 1000)),
    errors,
    errorSamples: results.flatMap((r) => r.errorSamples).slice(0, 5),
    typingSent: sum((r) => r.typingSent),
    typingReceived: sum((r) => r.typingReceived),
    maxSendLagMs,
    sameE2E,
    crossE2E,
    ack,
    cpu: { byProcess, serverTotal, loadgen: round3(sum((r) => r.cpuSeconds)), windowSeconds: opts.durationMs / 1000 },
    msgsPerCpuSecond: serverTotal > 0 ? Math.round(delivered / serverTotal) : 0,
    ok: reason === undefined,
    ...(reason ? { reason } : {}),
    delivering: deliveredRatio >= 0.95 && sameOrAll.p99 <= opts.stopMs && errors <= sent * 0.01,
    load1: loadAverage().load1,
  };
  return summary;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

function stepLine(name: string, rep: number, s: StepSummary): string {
  const pct = (p: Percentiles) => (p.count ? `${p.p50.toFixed(2)}/${p.p99.toFixed(2)}/${p.max.toFixed(1)}` : "-");
  return (
    `[${name} #${rep}] ${String(s.rate).padStart(6)}/s  sent ${s.sent} deliv ${(s.deliveredRatio * 100).toFixed(1)}%` +
    `  same p50/p99/max ${pct(s.sameE2E)}  cross ${pct(s.crossE2E)}  ack ${pct(s.ack)} ms` +
    `  cpu ${s.cpu.serverTotal.toFixed(1)}s/${s.cpu.windowSeconds}s [${Object.entries(s.cpu.byProcess).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ")}] (${s.msgsPerCpuSecond} msg/cpu-s)` +
    (s.typingSent > 0 ? `  typing ${s.typingSent} sent (${(s.typingSent / Math.max(1, s.sent)).toFixed(2)}/msg) ${s.typingReceived} received` : "") +
    `  load ${s.load1.toFixed(1)}  ${s.ok ? "ok" : `SATURATED: ${s.reason}`}`
  );
}

async function runSystem(name: SystemName, rep: number, services: Services, opts: BenchOptions): Promise<SystemRun> {
  const tag = `r${rep}${Math.random().toString(36).slice(2, 6)}`;
  const run: SystemRun = { system: name, rep, servers: opts.servers, pairs: opts.pairs, connections: 0, connectMs: 0, steps: [], maxSustained: 0, maxThroughput: 0 };
  opts.log(`── ${name} (repetition ${rep}) ──`);
  let sys: RunningSystem | undefined;
  let workers: Worker[] = [];
  try {
    sys = await startSystem(name, { services, servers: opts.servers, tag, verbose: opts.verbose, ...(opts.nodeEnv ? { nodeEnv: opts.nodeEnv } : {}) });
    const started = await startWorkers(sys, opts);
    workers = started.workers;
    run.connections = started.connections;
    run.connectMs = Math.round(started.connectMs);
    opts.log(`  [${name}] ${started.connections} connections from ${workers.length} load processes in ${(started.connectMs / 1000).toFixed(1)} s`);
    for (let i = 0; i < opts.rates.length; i++) {
      const s = await runStep(sys, workers, i, opts.rates[i]!, opts);
      run.steps.push(s);
      opts.log(stepLine(name, rep, s));
      if (s.ok) run.maxSustained = Math.max(run.maxSustained, s.rate);
      if (s.delivering) run.maxThroughput = Math.max(run.maxThroughput, s.achievedPerSec);
      if (!s.delivering) break;
    }
  } catch (err) {
    run.error = err instanceof Error ? err.message : String(err);
    opts.log(`  [${name}] FAILED: ${run.error}`);
  } finally {
    await Promise.all(
      workers.map(async (w) => {
        w.proc.send({ cmd: "close" });
        await stopProcess(w.proc, 3_000);
      }),
    );
    await sys?.stop().catch((err) => opts.log(`  [${name}] stop failed: ${String(err)}`));
  }
  return run;
}

export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  const loadBefore = loadAverage();
  const machine = machineInfo();
  opts.log(`machine: ${machine.cpus} × ${machine.model}, ${machine.memGiB} GiB, Node ${machine.node}; load ${loadBefore.load1} ${loadBefore.load5} ${loadBefore.load15}`);
  const services = await startServices(opts.mode, opts.log, opts.systems.some((s) => s.startsWith("socketio")));
  const runs: SystemRun[] = [];
  const groupRuns: GroupRun[] = [];
  let extras: DimExtras | undefined;
  try {
    for (let rep = 1; rep <= (opts.extrasOnly ? 0 : opts.reps); rep++) {
      if (opts.pairLadder !== false) {
        for (const name of opts.systems.filter((s) => PAIR_SYSTEMS.includes(s))) runs.push(await runSystem(name, rep, services, opts));
      }
      if (opts.groups) {
        for (const name of opts.systems.filter((s) => GROUP_SYSTEMS.includes(s))) {
          groupRuns.push(await runGroupSystem(name, rep, opts.groups, { ...opts, services }));
        }
      }
    }
    if (opts.extras && opts.systems.includes("dim")) {
      const only = opts.extras.only;
      extras = only === "connections" ? await measureConnectionExtras(services, opts) : only === "uploads" ? await measureUploadExtras(services, opts) : await measureDimExtras(services, opts);
    }
  } finally {
    await services.stop().catch((err) => opts.log(`services stop failed: ${String(err)}`));
    killAll();
  }
  const { log: _log, ...options } = opts;
  const result: BenchResult = {
    version: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    loadBefore,
    loadAfter: loadAverage(),
    options,
    runs,
    summary: summarize(runs, opts),
    ...(extras ? { extras } : {}),
    ...(opts.groups ? { groupRuns, groupSummary: summarizeGroups(groupRuns) } : {}),
  };
  return result;
}

/** Recomputes the per-run maxima and the summary from the steps (e.g. after a rule changed). */
export function rescore(result: BenchResult): BenchResult {
  for (const run of result.runs) {
    run.maxSustained = Math.max(0, ...run.steps.filter((s) => s.ok).map((s) => s.rate));
    run.maxThroughput = Math.max(0, ...run.steps.filter((s) => s.delivering).map((s) => s.achievedPerSec));
  }
  result.summary = summarize(result.runs, { ...result.options, log: () => undefined });
  return result;
}

function summarize(runs: SystemRun[], opts: BenchOptions): BenchResult["summary"] {
  const maxSustained: BenchResult["summary"]["maxSustained"] = {};
  const maxThroughput: BenchResult["summary"]["maxThroughput"] = {};
  for (const name of opts.systems.filter((s) => runs.some((r) => r.system === s))) {
    maxSustained[name] = spread(runs.filter((r) => r.system === name).map((r) => r.maxSustained));
    maxThroughput[name] = spread(runs.filter((r) => r.system === name).map((r) => r.maxThroughput));
  }
  const ratiosOf = (pick: (r: SystemRun) => number) => {
    const out: Partial<Record<SystemName, Spread>> = {};
    for (const name of opts.systems) {
      if (name === "dim" || !runs.some((r) => r.system === name)) continue;
      const values: number[] = [];
      for (let rep = 1; rep <= opts.reps; rep++) {
        const d = runs.find((r) => r.system === "dim" && r.rep === rep);
        const b = runs.find((r) => r.system === name && r.rep === rep);
        if (d && b && pick(b) > 0) values.push(Math.round((pick(d) / pick(b)) * 100) / 100);
      }
      if (values.length) out[name] = spread(values);
    }
    return out;
  };
  const out: BenchResult["summary"] = {
    maxSustained,
    maxThroughput,
    ratios: ratiosOf((r) => r.maxSustained),
    throughputRatios: ratiosOf((r) => r.maxThroughput),
  };
  // DIM at about half its saturation: the step nearest to half the median max sustained rate.
  const dimRuns = runs.filter((r) => r.system === "dim");
  // Half of the objective-meeting rate, or of the throughput capacity when no step met it.
  const half = (maxSustained.dim?.median || maxThroughput.dim?.median || 0) / 2;
  if (dimRuns.length && half > 0) {
    const near = dimRuns.map((r) => r.steps.filter((s) => s.delivering).sort((a, b) => Math.abs(a.rate - half) - Math.abs(b.rate - half))[0]).filter((s) => s !== undefined);
    if (near.length) {
      out.dimAtHalf = {
        rate: near[0]!.rate,
        sameP99: round3(spread(near.map((s) => s.sameE2E.p99)).median),
        crossP99: round3(spread(near.map((s) => s.crossE2E.p99)).median),
        ackP99: round3(spread(near.map((s) => s.ack.p99)).median),
      };
    }
  }
  // The issue's yardstick: half the saturation rate (capacity), whatever the latency objective.
  const halfCapacity = (maxThroughput.dim?.median ?? 0) / 2;
  if (dimRuns.length && halfCapacity > 0) {
    const near = dimRuns.map((r) => r.steps.filter((s) => s.delivering).sort((a, b) => Math.abs(a.rate - halfCapacity) - Math.abs(b.rate - halfCapacity))[0]).filter((s) => s !== undefined);
    if (near.length) {
      const med = (f: (s: StepSummary) => number) => round3(spread(near.map(f)).median);
      out.dimAtHalfCapacity = {
        capacity: maxThroughput.dim!.median,
        rate: near[0]!.rate,
        sameP50: med((s) => s.sameE2E.p50),
        sameP99: med((s) => s.sameE2E.p99),
        crossP50: med((s) => s.crossE2E.p50),
        crossP99: med((s) => s.crossE2E.p99),
        ackP99: med((s) => s.ack.p99),
        msgsPerCpuSecond: med((s) => s.msgsPerCpuSecond),
      };
    }
  }
  return out;
}
