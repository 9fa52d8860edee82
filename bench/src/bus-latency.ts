/**
 * `npm run bench:bus [-- options]` — the Kafka bus alone: two peer processes, each a KafkaBus
 * consuming its own node inbox and publishing to the other's (as two core nodes do), at fixed
 * offered rates, open loop. Measures scheduled → handled on the other side (the cross-node hop
 * DIM adds to a delivery) and scheduled → publish acknowledged (acks=all), plus the CPU of the
 * broker and of the peers (/proc). Variants (KafkaBus options, broker properties) run interleaved
 * in one run, so they are compared under the same machine load.
 *
 *   --rates r1,r2,…        total envelopes/s, both directions together (default 100,500,1000,2000)
 *   --duration S           measured seconds per step (default 5)   --warmup S (2)   --drain S (3)
 *   --reps N               repetitions, variants interleaved (default 1)
 *   --partitions N         partitions of each node topic (default 6, DIM_KAFKA_PARTITIONS's default)
 *   --conversations N      distinct record keys (default 200)
 *   --variant NAME=JSON    KafkaBus options of a variant, e.g. 'linger2={"lingerMs":2}' (repeatable;
 *                          default one variant, "default", with the code's defaults); "module":
 *                          "path/to/kafka-bus.ts" runs another version's KafkaBus (A/B)
 *   --broker K=V,K=V       extra broker properties (a broker of our own is started with them)
 *   --out DIR              results directory (default bench-results/)
 *
 * Kafka: a broker of its own in .infra/bench-bus (fresh, stopped after), unless `npm run infra:up`'s
 * is running and no --broker properties were given.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildProcess } from "node:child_process";
import { merge, percentiles, type Percentiles } from "./hdr";
import { forkTs, killAll, stopProcess, waitMessage, REPO } from "./procs";
import { loadAverage, machineInfo, treeUsage } from "./proc-stats";
import type { BusFromPeer, BusStepResult, BusVariantOptions } from "./bus/messages";
import { DEFAULT_RUN_DIR, VERSIONS, liveState } from "../../scripts/infra/index";
import { ensureJars } from "../../scripts/infra/jars";
import { KafkaService } from "../../scripts/infra/services";

export interface BusBenchOptions {
  rates: number[];
  warmupMs: number;
  durationMs: number;
  drainMs: number;
  reps: number;
  partitions: number;
  conversations: number;
  variants: Array<{ name: string; options: BusVariantOptions }>;
  brokerProps: Record<string, string>;
  out: string;
}

export interface BusStep {
  variant: string;
  rep: number;
  rate: number;
  sent: number;
  received: number;
  failed: number;
  deliveredRatio: number;
  deliver: Percentiles;
  publish: Percentiles;
  cpu: { kafka: number; peers: number };
  /** sendBatch calls and consumed partition batches of both peers (warm-up included). */
  produceBatches: number;
  consumedBatches: number;
  load1: number;
}

export function parseBusArgs(argv: string[]): BusBenchOptions {
  const single = new Map<string, string>();
  const variants: BusBenchOptions["variants"] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) throw new Error(`unexpected argument '${a}'`);
    const key = a.slice(2);
    const value = argv[++i];
    if (value === undefined) throw new Error(`--${key} needs a value`);
    if (key === "variant") {
      const eq = value.indexOf("=");
      if (eq < 1) throw new Error("--variant NAME=JSON");
      variants.push({ name: value.slice(0, eq), options: JSON.parse(value.slice(eq + 1)) as BusVariantOptions });
    } else if (["rates", "duration", "warmup", "drain", "reps", "partitions", "conversations", "broker", "out"].includes(key)) single.set(key, value);
    else throw new Error(`unknown option --${key}`);
  }
  const num = (k: string, d: number) => {
    const v = Number(single.get(k) ?? d);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} must be a positive number`);
    return v;
  };
  const brokerProps: Record<string, string> = {};
  for (const kv of (single.get("broker") ?? "").split(",").filter(Boolean)) {
    const eq = kv.indexOf("=");
    if (eq < 1) throw new Error("--broker K=V,K=V");
    brokerProps[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return {
    rates: (single.get("rates") ?? "100,500,1000,2000").split(",").map(Number),
    warmupMs: num("warmup", 2) * 1000,
    durationMs: num("duration", 5) * 1000,
    drainMs: num("drain", 3) * 1000,
    reps: Math.floor(num("reps", 1)),
    partitions: Math.floor(num("partitions", 6)),
    conversations: Math.floor(num("conversations", 200)),
    variants: variants.length ? variants : [{ name: "default", options: {} }],
    brokerProps,
    out: resolve(REPO, single.get("out") ?? "bench-results"),
  };
}

async function startBroker(opts: BusBenchOptions, log: (l: string) => void): Promise<{ brokers: string; pid: () => number; stop(): Promise<void> }> {
  const live = Object.keys(opts.brokerProps).length === 0 ? liveState(DEFAULT_RUN_DIR) : undefined;
  if (live) {
    log(`using the running Kafka of infra:up (${live.kafka.brokers})`);
    return { brokers: live.kafka.brokers, pid: () => live.kafka.pid, stop: async () => undefined };
  }
  const { freePort } = await import("@dim/shared/node");
  const dir = join(DEFAULT_RUN_DIR, "..", "bench-bus", "kafka");
  rmSync(dir, { recursive: true, force: true });
  const kafka = new KafkaService({
    dir,
    port: await freePort(),
    controllerPort: await freePort(),
    jarDir: await ensureJars("kafka", VERSIONS.kafka, log),
    version: VERSIONS.kafka,
    numPartitions: opts.partitions,
    heapOpts: (process.env.DIM_KAFKA_HEAP_OPTS ?? "-Xms256m -Xmx512m").split(/\s+/).filter(Boolean),
    extraProps: opts.brokerProps,
  });
  await kafka.start(log);
  return { brokers: kafka.brokers, pid: () => kafka.pid, stop: () => kafka.stop() };
}

async function peerMessage<T>(p: ChildProcess, ev: BusFromPeer["ev"], what: string, timeoutMs = 120_000): Promise<T> {
  const msg = await waitMessage(p, (m) => ((m as BusFromPeer).ev === ev || (m as BusFromPeer).ev === "error" ? (m as BusFromPeer) : undefined), what, timeoutMs);
  if (msg.ev === "error") throw new Error(`${what}: ${msg.message}`);
  return msg as T;
}

async function runVariant(opts: BusBenchOptions, variant: BusBenchOptions["variants"][number], rep: number, broker: { brokers: string; pid: () => number }, log: (l: string) => void): Promise<BusStep[]> {
  const tag = `${variant.name.replace(/[^A-Za-z0-9]/g, "")}-${rep}-${Math.random().toString(36).slice(2, 6)}`;
  const ids = [`buslat-${tag}-a`, `buslat-${tag}-b`];
  const peers = ids.map((id) => forkTs("bus/peer.ts", id));
  const steps: BusStep[] = [];
  try {
    await Promise.all(
      peers.map((p, i) => {
        const ready = peerMessage(p, "ready", `peer ${ids[i]} start`);
        p.send({ cmd: "start", brokers: [broker.brokers], nodeId: ids[i], peerId: ids[1 - i], partitions: opts.partitions, busOptions: variant.options });
        return ready;
      }),
    );
    for (const [i, rate] of opts.rates.entries()) {
      const before = treeUsage([broker.pid(), ...peers.map((p) => p.pid ?? 0)]);
      const results = await Promise.all(
        peers.map((p) => {
          const r = peerMessage<{ result: BusStepResult }>(p, "step", "bus step", opts.warmupMs + opts.durationMs + opts.drainMs + 60_000);
          p.send({ cmd: "step", step: i, ratePerSec: rate / peers.length, warmupMs: opts.warmupMs, durationMs: opts.durationMs, drainMs: opts.drainMs, conversations: opts.conversations });
          return r.then((m) => m.result);
        }),
      );
      const after = treeUsage([broker.pid(), ...peers.map((p) => p.pid ?? 0)]);
      const cpu = before.map((b, j) => Math.round((after[j]!.cpuSeconds - b.cpuSeconds) * 100) / 100);
      const sent = results.reduce((a, r) => a + r.sent, 0);
      const received = results.reduce((a, r) => a + r.received, 0);
      const step: BusStep = {
        variant: variant.name,
        rep,
        rate,
        sent,
        received,
        failed: results.reduce((a, r) => a + r.failed, 0),
        deliveredRatio: sent ? Math.round((received / sent) * 1000) / 1000 : 0,
        deliver: percentiles(merge(results.map((r) => r.deliver))),
        publish: percentiles(merge(results.map((r) => r.publish))),
        cpu: { kafka: cpu[0]!, peers: Math.round((cpu[1]! + cpu[2]!) * 100) / 100 },
        produceBatches: results.reduce((a, r) => a + r.produceBatches, 0),
        consumedBatches: results.reduce((a, r) => a + r.consumedBatches, 0),
        load1: loadAverage().load1,
      };
      steps.push(step);
      log(stepLine(step));
    }
  } finally {
    await Promise.all(
      peers.map(async (p, i) => {
        const stopped = peerMessage(p, "stopped", "peer stop", 60_000).catch(() => undefined);
        p.send({ cmd: "stop", nodeId: ids[i], removeInbox: true });
        await stopped;
        await stopProcess(p, 3_000);
      }),
    );
  }
  return steps;
}

function stepLine(s: BusStep): string {
  const p = (x: Percentiles) => (x.count ? `${x.p50.toFixed(2)}/${x.p90.toFixed(2)}/${x.p99.toFixed(2)}/${x.max.toFixed(1)}` : "-");
  return (
    `[${s.variant} #${s.rep}] ${String(s.rate).padStart(5)}/s  deliv ${(s.deliveredRatio * 100).toFixed(1)}%  ` +
    `handled p50/p90/p99/max ${p(s.deliver)}  publish-ack ${p(s.publish)} ms  cpu kafka ${s.cpu.kafka}s peers ${s.cpu.peers}s  batches produced ${s.produceBatches} consumed ${s.consumedBatches}  load ${s.load1}`
  );
}

export async function runBusBench(opts: BusBenchOptions, log: (l: string) => void) {
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  log(`machine: ${machine.cpus} × ${machine.model}; load ${loadAverage().load1}; Kafka ${VERSIONS.kafka}, partitions ${opts.partitions}`);
  const broker = await startBroker(opts, log);
  const steps: BusStep[] = [];
  try {
    for (let rep = 1; rep <= opts.reps; rep++) {
      for (const v of opts.variants) steps.push(...(await runVariant(opts, v, rep, broker, log)));
    }
  } finally {
    await broker.stop();
  }
  return { version: 1, kind: "bus-latency", startedAt, finishedAt: new Date().toISOString(), machine, options: opts, steps };
}

async function main() {
  const opts = parseBusArgs(process.argv.slice(2));
  const stop = () => {
    killAll();
    process.exit(130);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const result = await runBusBench(opts, (l) => console.log(l));
  mkdirSync(opts.out, { recursive: true });
  const file = join(opts.out, `bus-${result.startedAt.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  console.log(`results: ${file}`);
  process.exit(0);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((err) => {
    console.error(err);
    killAll();
    process.exit(1);
  });
}
