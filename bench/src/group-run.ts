/**
 * The group steps of one system and repetition: start it fresh, create the members and one group
 * per size, connect every member from forked group load generators (member i on server i mod N,
 * in load process ⌊i / N⌋ mod W, so each process holds members of every server), then for each
 * size and rate a step: a few members send to the group at the rate (open loop), every member's
 * client ACKs what is pushed to it, and the latency of each delivery is taken from the message's
 * scheduled time — to every member, and per message to the last member.
 */
import type { ChildProcess } from "node:child_process";
import { merge, newHistogram, percentiles, recordUs, type Percentiles } from "./hdr";
import type { FromGroupWorker, GroupConnSpec, GroupStepResult } from "./loadgen/group-messages";
import { cpuOverWindow, loadAverage } from "./proc-stats";
import { forkTs, stopProcess, waitMessage } from "./procs";
import type { Services } from "./services";
import { startSystem, type RunningSystem, type SystemName } from "./systems";

export interface GroupOptions {
  sizes: number[];
  rates: number[];
  /** Members that send (the first ones: spread over servers and load processes). */
  senders: number;
}

export interface GroupStepSummary {
  size: number;
  rate: number;
  /** Measured messages sent, and ACKed to their sender. */
  messages: number;
  acked: number;
  /** Deliveries expected (messages × (size − 1): every member online, the sender excluded), delivered, lost, copies. */
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  deliveredRatio: number;
  /** Measured deliveries per second of the window. */
  deliveriesPerSec: number;
  /** Every delivery to a member, from the scheduled time (ms). */
  all: Percentiles;
  /** Per message, its latest delivery (the last member), over the messages every member got (ms). */
  last: Percentiles;
  /** Messages that did not reach every member before the drain ended. */
  incompleteMessages: number;
  ack: Percentiles;
  errors: number;
  errorSamples: string[];
  maxSendLagMs: number;
  cpu: { byProcess: Record<string, number>; serverTotal: number; loadgen: number; windowSeconds: number };
  deliveriesPerCpuSecond: number;
  /** ≥ 95 % delivered with the last member's p99 under the stop bound. */
  delivering: boolean;
  load1: number;
}

export interface GroupRun {
  system: SystemName;
  rep: number;
  members: number;
  connections: number;
  setupMs: number;
  connectMs: number;
  steps: GroupStepSummary[];
  error?: string;
}

interface RunOpts {
  services: Services;
  servers: number;
  workers: number;
  warmupMs: number;
  durationMs: number;
  drainMs: number;
  stopMs: number;
  bodyBytes: number;
  verbose: boolean;
  nodeEnv?: Record<string, string>;
  log: (line: string) => void;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Member i's load process: ⌊i / servers⌋ mod workers (each process gets members of every server). */
export function workerOf(member: number, servers: number, workers: number): number {
  return Math.floor(member / servers) % workers;
}

async function startGroupWorkers(sys: RunningSystem, g: GroupOptions, opts: RunOpts, log: (l: string) => void) {
  const prepared = await sys.prepareGroups!(g.sizes, log);
  const specs = Array.from({ length: opts.workers }, () => [] as GroupConnSpec[]);
  prepared.users.forEach((u, member) => {
    const w = specs[workerOf(member, opts.servers, opts.workers)]!;
    w.push({ key: w.length, member, ...u, localAddress: `127.0.0.${2 + (w.length % 50)}` });
  });
  const procs = specs.map((_, i) => forkTs("loadgen/group-worker.ts", `gload-${i + 1}`, {}, opts.verbose));
  for (const [i, p] of procs.entries()) {
    p.on("message", (m: FromGroupWorker) => {
      if (m.ev === "log") log(`[load ${i + 1}] ${m.line}`);
    });
  }
  const readies = await Promise.all(
    procs.map((p, i) => {
      const ready = waitMessage(p, (m) => ((m as FromGroupWorker).ev === "ready" ? (m as Extract<FromGroupWorker, { ev: "ready" }>) : undefined), "group load generator setup", 600_000);
      p.send({ cmd: "setup", system: sys.kind, conns: specs[i]!, connectConcurrency: 50 });
      return ready;
    }),
  );
  const failed = readies.reduce((a, r) => a + r.failed, 0);
  if (failed > 0) throw new Error(`${failed} group connections failed: ${readies.find((r) => r.firstError)?.firstError}`);
  return { procs, prepared, connections: readies.reduce((a, r) => a + r.connected, 0), connectMs: Math.max(...readies.map((r) => r.connectMs)) };
}

async function runGroupStep(sys: RunningSystem, procs: ChildProcess[], step: number, group: string, size: number, rate: number, g: GroupOptions, tag: string, opts: RunOpts): Promise<GroupStepSummary> {
  const senders = Array.from({ length: Math.min(g.senders, size) }, (_, i) => i);
  const t0Epoch = Date.now() + 100;
  const cpuWindow = cpuOverWindow(sys.processes(), 100 + opts.warmupMs, opts.durationMs);
  const results = await Promise.all(
    procs.map((p) => {
      const r = waitMessage(p, (m) => ((m as FromGroupWorker).ev === "step" ? (m as Extract<FromGroupWorker, { ev: "step" }>).result : undefined), "group step", opts.warmupMs + opts.durationMs + opts.drainMs + 60_000);
      p.send({ cmd: "step", step, group, size, senders, idPrefix: `g${tag}s${step}n`, ratePerSec: rate, t0Epoch, warmupMs: opts.warmupMs, durationMs: opts.durationMs, drainMs: opts.drainMs, bodyBytes: opts.bodyBytes });
      return r;
    }),
  );
  const byProcess = await cpuWindow;
  return summarizeGroupStep(size, rate, results, byProcess, opts);
}

export function summarizeGroupStep(size: number, rate: number, results: GroupStepResult[], byProcess: Record<string, number>, opts: Pick<RunOpts, "durationMs" | "stopMs">): GroupStepSummary {
  const sum = (f: (r: GroupStepResult) => number) => results.reduce((a, r) => a + f(r), 0);
  const messages = sum((r) => r.sent);
  const expected = sum((r) => r.expected);
  const delivered = sum((r) => r.delivered);
  // The last member of message i: the latest delivery over all processes, when every member had it.
  const hLast = newHistogram();
  let incompleteMessages = 0;
  const count = results[0]?.localCount.length ?? 0;
  for (let i = 0; i < count; i++) {
    let got = 0;
    let lastUs = 0;
    for (const r of results) {
      got += r.localCount[i]!;
      lastUs = Math.max(lastUs, r.localLastUs[i]!);
    }
    if (got >= size - 1) recordUs(hLast, lastUs);
    else incompleteMessages++;
  }
  const serverTotal = round3(Object.values(byProcess).reduce((a, b) => a + b, 0));
  const deliveredRatio = expected === 0 ? 0 : delivered / expected;
  const last = percentiles(hLast);
  const errors = sum((r) => r.errors);
  return {
    size,
    rate,
    messages,
    acked: sum((r) => r.acked),
    expected,
    delivered,
    lost: expected - delivered,
    duplicates: sum((r) => r.duplicates),
    deliveredRatio: round3(deliveredRatio),
    deliveriesPerSec: Math.round(delivered / (opts.durationMs / 1000)),
    all: percentiles(merge(results.map((r) => r.deliveries))),
    last,
    incompleteMessages,
    ack: percentiles(merge(results.map((r) => r.ack))),
    errors,
    errorSamples: results.flatMap((r) => r.errorSamples).slice(0, 5),
    maxSendLagMs: Math.max(0, ...results.map((r) => r.maxSendLagMs)),
    cpu: { byProcess, serverTotal, loadgen: round3(sum((r) => r.cpuSeconds)), windowSeconds: opts.durationMs / 1000 },
    deliveriesPerCpuSecond: serverTotal > 0 ? Math.round(delivered / serverTotal) : 0,
    delivering: deliveredRatio >= 0.95 && last.count > 0 && last.p99 <= opts.stopMs && errors <= messages * 0.01,
    load1: loadAverage().load1,
  };
}

export function groupStepLine(name: string, rep: number, s: GroupStepSummary): string {
  const pct = (p: Percentiles) => (p.count ? `${p.p50.toFixed(1)}/${p.p99.toFixed(1)}` : "-");
  return (
    `[${name} #${rep}] group ${s.size} × ${s.rate}/s  msgs ${s.messages} deliv ${s.delivered}/${s.expected} (${s.deliveriesPerSec}/s) lost ${s.lost} dup ${s.duplicates}` +
    `  all p50/p99 ${pct(s.all)}  last ${pct(s.last)}  ack ${pct(s.ack)} ms` +
    `  cpu ${s.cpu.serverTotal.toFixed(1)}s/${s.cpu.windowSeconds}s [${Object.entries(s.cpu.byProcess).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ")}] load ${s.load1.toFixed(1)}` +
    (s.errors ? `  errors ${s.errors}: ${s.errorSamples[0]}` : "") +
    (s.delivering ? "" : "  NOT DELIVERING")
  );
}

export async function runGroupSystem(name: SystemName, rep: number, g: GroupOptions, opts: RunOpts): Promise<GroupRun> {
  const tag = `q${rep}${Math.random().toString(36).slice(2, 6)}`;
  const members = Math.max(...g.sizes);
  const run: GroupRun = { system: name, rep, members, connections: 0, setupMs: 0, connectMs: 0, steps: [] };
  const log = (l: string) => opts.log(`  [${name}] ${l}`);
  opts.log(`── ${name} groups ${g.sizes.join(", ")} (repetition ${rep}) ──`);
  let sys: RunningSystem | undefined;
  let procs: ChildProcess[] = [];
  try {
    sys = await startSystem(name, { services: opts.services, servers: opts.servers, tag, verbose: opts.verbose, ...(opts.nodeEnv ? { nodeEnv: opts.nodeEnv } : {}) });
    if (!sys.prepareGroups) throw new Error(`${name} has no group steps`);
    const t0 = Date.now();
    const started = await startGroupWorkers(sys, g, opts, log);
    procs = started.procs;
    run.connections = started.connections;
    run.connectMs = Math.round(started.connectMs);
    run.setupMs = Date.now() - t0;
    log(`${started.connections} members connected from ${procs.length} load processes (setup ${(run.setupMs / 1000).toFixed(1)} s, connects ${(started.connectMs / 1000).toFixed(1)} s)`);
    let step = 0;
    for (const size of g.sizes) {
      for (const rate of g.rates) {
        const s = await runGroupStep(sys, procs, step++, started.prepared.groups[size]!, size, rate, g, tag, opts);
        run.steps.push(s);
        opts.log(groupStepLine(name, rep, s));
        if (!s.delivering) break;
      }
    }
  } catch (err) {
    run.error = err instanceof Error ? err.message : String(err);
    log(`FAILED: ${run.error}`);
  } finally {
    await Promise.all(
      procs.map(async (p) => {
        p.send({ cmd: "close" });
        await stopProcess(p, 3_000);
      }),
    );
    await sys?.stop().catch((err) => log(`stop failed: ${String(err)}`));
  }
  return run;
}
