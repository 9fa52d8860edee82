/**
 * A group load-generator process (forked by the coordinator). It holds a share of a group's
 * members; a few of them send. Every process knows the whole schedule — message n of a step is
 * scheduled at t0Epoch + n / rate on the wall clock, shared by the processes of this machine — so
 * a member here times a message sent from another process from its scheduled time, and the
 * coordinator takes the latest delivery over all processes as the latency to the last member.
 * Open loop as worker.ts: a late sender or a stalled server shows up in the figures.
 */
import { performance } from "node:perf_hooks";
import { sleep } from "@dim/shared/async";
import { connect, type Conn, type Events } from "./drivers";
import { encode, newHistogram, recordUs } from "../hdr";
import type { SystemKind } from "./messages";
import type { FromGroupWorker, GroupConnSpec, GroupStepResult, ToGroupWorker } from "./group-messages";

type StepMsg = Extract<ToGroupWorker, { cmd: "step" }>;

const reply = (m: FromGroupWorker) => process.send?.(m);

let system: SystemKind = "dim";
const specs: GroupConnSpec[] = [];
const conns = new Map<number, Conn>();

/** The step in progress (deliveries of another step's ids are late stragglers, not counted). */
let cur: {
  msg: StepMsg;
  interval: number;
  /** performance.now() of message 0's scheduled time. */
  t0: number;
  total: number;
  firstMeasured: number;
  /** Per member index here: which messages it has had. */
  seen: Map<number, Uint8Array>;
  localCount: number[];
  localLastUs: number[];
  /** Messages sent from here, not yet ACKed. */
  unacked: Set<number>;
  /** Deliveries still expected here over all the step's messages (for the drain). */
  outstanding: number;
  delivered: number;
  expected: number;
  duplicates: number;
  acked: number;
  errors: number;
  errorSamples: string[];
  hDeliveries: ReturnType<typeof newHistogram>;
  hAck: ReturnType<typeof newHistogram>;
} | null = null;

function indexOf(id: string): number | undefined {
  if (!cur || !id.startsWith(cur.msg.idPrefix)) return undefined;
  const n = parseInt(id.slice(cur.msg.idPrefix.length), 36);
  return Number.isInteger(n) && n >= 0 && n < cur.total ? n : undefined;
}

function error(what: string): void {
  if (!cur) return;
  cur.errors++;
  if (cur.errorSamples.length < 5) cur.errorSamples.push(what.slice(0, 200));
}

function eventsFor(spec: GroupConnSpec): Events {
  return {
    onAck(id) {
      const n = indexOf(id);
      if (n === undefined || !cur!.unacked.delete(n)) return;
      if (n >= cur!.firstMeasured) {
        cur!.acked++;
        recordUs(cur!.hAck, (performance.now() - (cur!.t0 + n * cur!.interval)) * 1000);
      }
    },
    onDeliver(id) {
      const n = indexOf(id);
      if (n === undefined) return;
      const c = cur!;
      // Socket.IO's io.to(room) also reaches the sender's own socket; DIM never pushes to it.
      if (c.msg.senders[n % c.msg.senders.length] === spec.member) return;
      const seen = c.seen.get(spec.member);
      if (!seen) return; // not a member of this step's group
      if (seen[n]) {
        if (n >= c.firstMeasured) c.duplicates++;
        return;
      }
      seen[n] = 1;
      c.outstanding--;
      if (n < c.firstMeasured) return;
      const us = (performance.now() - (c.t0 + n * c.interval)) * 1000;
      recordUs(c.hDeliveries, us);
      c.delivered++;
      const i = n - c.firstMeasured;
      c.localCount[i]!++;
      if (us > c.localLastUs[i]!) c.localLastUs[i] = Math.round(us);
    },
    onError: error,
  };
}

async function setup(msg: Extract<ToGroupWorker, { cmd: "setup" }>): Promise<void> {
  system = msg.system;
  specs.push(...msg.conns);
  const t0 = performance.now();
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  let done = 0;
  const progress = setInterval(() => reply({ ev: "log", line: `connected ${done}/${specs.length}` }), 5_000);
  await Promise.all(
    Array.from({ length: Math.max(1, msg.connectConcurrency) }, async () => {
      for (;;) {
        const spec = specs[next++];
        if (!spec) return;
        try {
          conns.set(spec.member, await connect(system, spec, eventsFor(spec), { groupAcks: true }));
        } catch (err) {
          failed++;
          firstError ??= err instanceof Error ? err.message : String(err);
        }
        done++;
      }
    }),
  );
  clearInterval(progress);
  reply({ ev: "ready", connected: conns.size, failed, connectMs: performance.now() - t0, ...(firstError ? { firstError } : {}) });
}

async function runStep(msg: StepMsg): Promise<GroupStepResult> {
  const cpu0 = process.cpuUsage();
  const interval = 1000 / msg.ratePerSec;
  const total = Math.floor(((msg.warmupMs + msg.durationMs) / 1000) * msg.ratePerSec);
  const firstMeasured = Math.ceil((msg.warmupMs / 1000) * msg.ratePerSec);
  const measuredCount = Math.max(0, total - firstMeasured);
  const t0 = msg.t0Epoch - performance.timeOrigin;
  const members = specs.filter((s) => s.member < msg.size && conns.has(s.member)).map((s) => s.member);
  const S = msg.senders.length;
  const localSenders = new Set(msg.senders.filter((m) => conns.has(m)));
  // Deliveries expected here for message n: every member here but its sender.
  const expectedOf = (n: number) => members.length - (members.includes(msg.senders[n % S]!) ? 1 : 0);
  let outstanding = 0;
  let expected = 0;
  for (let n = 0; n < total; n++) {
    const e = expectedOf(n);
    outstanding += e;
    if (n >= firstMeasured) expected += e;
  }
  const c = (cur = {
    msg,
    interval,
    t0,
    total,
    firstMeasured,
    seen: new Map(members.map((m) => [m, new Uint8Array(total)])),
    localCount: new Array<number>(measuredCount).fill(0),
    localLastUs: new Array<number>(measuredCount).fill(0),
    unacked: new Set(),
    outstanding,
    delivered: 0,
    expected,
    duplicates: 0,
    acked: 0,
    errors: 0,
    errorSamples: [],
    hDeliveries: newHistogram(),
    hAck: newHistogram(),
  });
  const body = `bench ${"x".repeat(Math.max(0, msg.bodyBytes - 6))}`;
  let n = 0;
  let sent = 0;
  let maxLag = 0;
  const end = t0 + total * interval;
  while (n < total && performance.now() < end + 1000) {
    const now = performance.now();
    while (n < total) {
      const sched = t0 + n * interval;
      if (sched > now) break;
      const sender = msg.senders[n % S]!;
      if (localSenders.has(sender)) {
        c.unacked.add(n);
        try {
          conns.get(sender)!.send(msg.group, msg.group, `${msg.idPrefix}${n.toString(36)}`, body);
        } catch (err) {
          error(`send: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (n >= firstMeasured) {
          sent++;
          maxLag = Math.max(maxLag, performance.now() - sched);
        }
      }
      n++;
    }
    await sleep(1);
  }
  const drainUntil = performance.now() + msg.drainMs;
  while ((c.outstanding > 0 || c.unacked.size > 0) && performance.now() < drainUntil) await sleep(20);
  const cpu = process.cpuUsage(cpu0);
  cur = null;
  return {
    step: msg.step,
    sent,
    acked: c.acked,
    errors: c.errors,
    errorSamples: c.errorSamples,
    maxSendLagMs: Math.round(maxLag * 1000) / 1000,
    delivered: c.delivered,
    expected: c.expected,
    duplicates: c.duplicates,
    deliveries: encode(c.hDeliveries),
    ack: encode(c.hAck),
    firstMeasured,
    localCount: c.localCount,
    localLastUs: c.localLastUs,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

let chain: Promise<void> = Promise.resolve();
process.on("message", (raw) => {
  const msg = raw as ToGroupWorker;
  chain = chain.then(async () => {
    try {
      if (msg.cmd === "setup") await setup(msg);
      else if (msg.cmd === "step") reply({ ev: "step", result: await runStep(msg) });
      else if (msg.cmd === "close") {
        for (const conn of conns.values()) conn.close();
        conns.clear();
        reply({ ev: "closed" });
        setTimeout(() => process.exit(0), 100);
      }
    } catch (err) {
      reply({ ev: "log", line: `group worker error: ${err instanceof Error ? err.stack : String(err)}` });
      process.exit(1);
    }
  });
});
process.on("disconnect", () => process.exit(0));
