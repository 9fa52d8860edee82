/**
 * A load-generator process (forked by the coordinator). It holds both ends of its pairs, so a
 * delivery's latency is measured on one clock. Open loop: message n is scheduled at
 * t0 + n / rate whatever happened before, and every latency is measured from that scheduled time
 * (coordinated-omission safe: a stalled server or a late generator shows up in the figures).
 */
import { performance } from "node:perf_hooks";
import { connect, type Conn } from "./drivers";
import { connectDimIdle } from "./dim-idle-client";
import { encode, newHistogram, recordUs } from "../hdr";
import type { ConnSpec, FromWorker, PairSpec, StepResult, SystemKind, ToWorker } from "./messages";
import { sleep } from "@dim/shared/async";

const reply = (m: FromWorker) => process.send?.(m);
const log = (line: string) => reply({ ev: "log", line });

interface Pending {
  sched: number;
  cls: "same" | "cross";
  measured: boolean;
  acked: boolean;
  delivered: boolean;
}

let system: SystemKind = "dim";
let specs: ConnSpec[] = [];
let pairs: PairSpec[] = [];
const conns = new Map<number, Conn>();
const pending = new Map<string, Pending>();
const stats = { acked: 0, delivered: 0, errors: 0, errorSamples: [] as string[], typingSent: 0, typingReceived: 0 };
let typing = false;
let hSame = newHistogram();
let hCross = newHistogram();
let hAck = newHistogram();

function settle(id: string, p: Pending): void {
  if (p.acked && p.delivered) pending.delete(id);
}

const events = {
  onAck(id: string) {
    const p = pending.get(id);
    if (!p || p.acked) return;
    p.acked = true;
    if (p.measured) {
      recordUs(hAck, (performance.now() - p.sched) * 1000);
      stats.acked++;
    }
    settle(id, p);
  },
  onDeliver(id: string) {
    const p = pending.get(id);
    if (!p || p.delivered) return;
    p.delivered = true;
    if (p.measured) {
      recordUs(p.cls === "same" ? hSame : hCross, (performance.now() - p.sched) * 1000);
      stats.delivered++;
    }
    settle(id, p);
  },
  onTyping(dir: "sent" | "received") {
    if (dir === "sent") stats.typingSent++;
    else stats.typingReceived++;
  },
  onError(what: string) {
    stats.errors++;
    if (stats.errorSamples.length < 5) stats.errorSamples.push(what.slice(0, 200));
  },
};

async function setup(msg: Extract<ToWorker, { cmd: "setup" }>): Promise<void> {
  system = msg.system;
  specs = msg.conns;
  pairs = msg.pairs;
  typing = msg.typing === true;
  const t0 = performance.now();
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const workers = Array.from({ length: Math.max(1, msg.connectConcurrency) }, async () => {
    for (;;) {
      const i = next++;
      const spec = specs[i];
      if (!spec) return;
      try {
        conns.set(spec.key, await (msg.idle && system === "dim" ? connectDimIdle(spec) : connect(system, spec, events, { typing })));
      } catch (err) {
        failed++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  });
  await Promise.all(workers);
  // Connection-level errors during setup are not step errors.
  stats.errors = 0;
  stats.errorSamples = [];
  reply({ ev: "ready", connected: conns.size, failed, connectMs: performance.now() - t0, ...(firstError ? { firstError } : {}) });
}


async function runStep(msg: Extract<ToWorker, { cmd: "step" }>): Promise<StepResult> {
  hSame = newHistogram();
  hCross = newHistogram();
  hAck = newHistogram();
  stats.acked = 0;
  stats.delivered = 0;
  stats.errors = 0;
  stats.errorSamples = [];
  pending.clear();
  let typingAtMeasure: { sent: number; received: number } | undefined;
  const cpu0 = process.cpuUsage();
  const body = `bench ${"x".repeat(Math.max(0, msg.bodyBytes - 6))}`;
  const P = pairs.length;
  const interval = 1000 / msg.ratePerSec;
  const t0 = performance.now() + 20;
  const measureFrom = t0 + msg.warmupMs;
  const end = measureFrom + msg.durationMs;
  const total = Math.floor((msg.warmupMs + msg.durationMs) / interval);
  let n = 0;
  let sent = 0;
  let maxLag = 0;
  // Bounded: exactly `total` messages, and the loop ends at `end` plus one second at most.
  while (n < total && performance.now() < end + 1000) {
    const now = performance.now();
    while (n < total) {
      const sched = t0 + n * interval;
      if (sched > now) break;
      const pair = pairs[n % P]!;
      const forward = Math.floor(n / P) % 2 === 0;
      const from = forward ? pair.from : pair.to;
      const to = forward ? pair.to : pair.from;
      const conn = conns.get(from);
      const id = `m${process.pid.toString(36)}_${msg.step}_${n.toString(36).padStart(6, "0")}`;
      const measured = sched >= measureFrom;
      if (measured) typingAtMeasure ??= { sent: stats.typingSent, received: stats.typingReceived };
      if (conn) {
        pending.set(id, { sched, cls: pair.cls, measured, acked: false, delivered: false });
        try {
          conn.send(specs[to]!.userId, pair.conversationId, id, body);
        } catch (err) {
          events.onError(`send: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (measured) {
          sent++;
          maxLag = Math.max(maxLag, performance.now() - sched);
        }
      }
      n++;
    }
    await sleep(1);
  }
  // Drain: wait for outstanding ACKs and deliveries, bounded by drainMs.
  const drainUntil = performance.now() + msg.drainMs;
  while (pending.size > 0 && performance.now() < drainUntil) await sleep(20);
  const cpu = process.cpuUsage(cpu0);
  const result: StepResult = {
    step: msg.step,
    sent,
    delivered: stats.delivered,
    acked: stats.acked,
    errors: stats.errors,
    errorSamples: stats.errorSamples,
    typingSent: stats.typingSent - (typingAtMeasure?.sent ?? stats.typingSent),
    typingReceived: stats.typingReceived - (typingAtMeasure?.received ?? stats.typingReceived),
    maxSendLagMs: Math.round(maxLag * 1000) / 1000,
    sameE2E: encode(hSame),
    crossE2E: encode(hCross),
    ack: encode(hAck),
    windowMs: msg.durationMs,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
  pending.clear();
  return result;
}

let chain: Promise<void> = Promise.resolve();
process.on("message", (raw) => {
  const msg = raw as ToWorker;
  chain = chain.then(async () => {
    try {
      if (msg.cmd === "setup") await setup(msg);
      else if (msg.cmd === "step") reply({ ev: "step", result: await runStep(msg) });
      else if (msg.cmd === "close") {
        for (const c of conns.values()) c.close();
        conns.clear();
        reply({ ev: "closed" });
        setTimeout(() => process.exit(0), 100);
      }
    } catch (err) {
      log(`worker error: ${err instanceof Error ? err.stack : String(err)}`);
      process.exit(1);
    }
  });
});
// The coordinator died: do not linger.
process.on("disconnect", () => process.exit(0));
