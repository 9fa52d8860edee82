/**
 * One side of the Kafka bus latency bench (forked by bus-latency.ts): a KafkaBus that consumes
 * its own node inbox and publishes to the other peer's, as a core node does — real `deliver`
 * envelopes, encoded and decoded with the node protocol (@dim/shared). Open loop: envelope n of
 * a step is scheduled at t0 + n / rate and its latency is measured from that scheduled time
 * (wall clock, µs resolution: both peers run on this machine's one clock), carried in the
 * message body.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { resolve } from "node:path";
import { createLogger } from "@dim/shared/node";
import { encodeNodeEnvelope, parseNodeEnvelope, type NodeEnvelope } from "@dim/shared";
import { KafkaBus, type KafkaBusOptions } from "../../../packages/infra/src/cluster/kafka/index";
import { REPO } from "../procs";
import { encode, newHistogram, recordUs } from "../hdr";
import type { BusFromPeer, BusToPeer, BusStepResult } from "./messages";
import { sleep } from "@dim/shared/async";

const reply = (m: BusFromPeer) => process.send?.(m);
const now = () => performance.timeOrigin + performance.now();

interface Stamp {
  step: number;
  sched: number;
  measured: boolean;
}

/** What the peer needs of a bus: publish an envelope, receive them, stop. */
interface PeerBus {
  publish(targetNodeId: string, envelope: NodeEnvelope): Promise<void>;
  subscribe(nodeId: string, handler: (envelope: NodeEnvelope) => Promise<void>): Promise<void>;
  removeInbox(nodeId: string): Promise<void>;
  close(): Promise<void>;
  stats(): { batches: number; consumedBatches: number };
}

/**
 * A KafkaBus of this version (`(key, payload)` records, decoded here with parseNodeEnvelope, as
 * core nodes do), or of a version whose bus took envelope objects and checked them itself
 * (publish with two parameters): an A/B across the change.
 */
function peerBus(bus: KafkaBus): PeerBus {
  const legacy = bus.publish.length === 2;
  const raw = bus as unknown as {
    publish(...args: unknown[]): Promise<void>;
    subscribe(nodeId: string, handler: (arg: unknown) => Promise<void>): Promise<void>;
  };
  return {
    publish: (target, envelope) => {
      if (legacy) return raw.publish(target, envelope);
      const { key, payload } = encodeNodeEnvelope(envelope);
      return raw.publish(target, key, payload);
    },
    subscribe: (nodeId, handler) =>
      raw.subscribe(nodeId, async (arg) => {
        if (legacy) return handler(arg as NodeEnvelope);
        const parsed = parseNodeEnvelope(arg as string);
        if (parsed.ok) await handler(parsed.envelope);
      }),
    removeInbox: (nodeId) => bus.removeInbox(nodeId),
    close: () => bus.close(),
    stats: () => bus.stats(),
  };
}

let bus: PeerBus | undefined;
let peerId = "";
let currentStep = -1;
let received = 0;
let hDeliver = newHistogram();
const conversationIds: string[] = [];
const senderId = randomUUID();
const recipients = [randomUUID()];

async function start(msg: Extract<BusToPeer, { cmd: "start" }>): Promise<void> {
  const logger = createLogger(`bus-peer-${msg.nodeId}`, { level: process.env.DIM_LOG_LEVEL ?? "warn" });
  const { module, ...busOptions } = msg.busOptions;
  const options: KafkaBusOptions = { brokers: msg.brokers, partitions: msg.partitions, replication: 1, logger, ...busOptions };
  // another version of the bus (A/B against the committed one): a module exporting KafkaBus
  const Impl = module ? ((await import(resolve(REPO, module))) as { KafkaBus: typeof KafkaBus }).KafkaBus : KafkaBus;
  const started = peerBus(new Impl(options));
  bus = started;
  peerId = msg.peerId;
  await started.subscribe(msg.nodeId, async (envelope) => {
    if (envelope.type !== "deliver") return;
    const stamp = JSON.parse(envelope.message.body) as Stamp;
    if (stamp.step !== currentStep || !stamp.measured) return;
    received++;
    recordUs(hDeliver, (now() - stamp.sched) * 1000);
  });
}

/** A realistic `deliver` envelope whose body carries the stamp. */
function deliverEnvelope(n: number, conversations: number, stamp: Stamp): NodeEnvelope {
  while (conversationIds.length < conversations) conversationIds.push(randomUUID());
  const conversationId = conversationIds[n % conversations]!;
  return {
    type: "deliver",
    conversationId,
    recipients,
    message: {
      id: randomUUID(),
      conversationId,
      seq: n + 1,
      senderId,
      clientMsgId: `bench-${n}-${stamp.step}`,
      kind: "text",
      body: JSON.stringify(stamp),
      createdAt: new Date().toISOString(),
    },
  };
}

async function runStep(msg: Extract<BusToPeer, { cmd: "step" }>): Promise<BusStepResult> {
  currentStep = msg.step;
  received = 0;
  hDeliver = newHistogram();
  const hPublish = newHistogram();
  const cpu0 = process.cpuUsage();
  const stats0 = bus!.stats();
  const interval = 1000 / msg.ratePerSec;
  const t0 = now() + 20;
  const measureFrom = t0 + msg.warmupMs;
  const end = measureFrom + msg.durationMs;
  const total = Math.floor((msg.warmupMs + msg.durationMs) / interval);
  let n = 0;
  let sent = 0;
  let failed = 0;
  let outstanding = 0;
  // Bounded: exactly `total` envelopes, the loop ends at `end` plus one second at most.
  while (n < total && now() < end + 1000) {
    const t = now();
    while (n < total) {
      const sched = t0 + n * interval;
      if (sched > t) break;
      const measured = sched >= measureFrom;
      const stamp: Stamp = { step: msg.step, sched, measured };
      const envelope = deliverEnvelope(n, msg.conversations, stamp);
      outstanding++;
      bus!.publish(peerId, envelope).then(
        () => {
          outstanding--;
          if (measured) recordUs(hPublish, (now() - sched) * 1000);
        },
        () => {
          outstanding--;
          failed++;
        },
      );
      if (measured) sent++;
      n++;
    }
    await sleep(1);
  }
  const drainUntil = now() + msg.drainMs;
  while (outstanding > 0 && now() < drainUntil) await sleep(20);
  // the other peer's last envelopes: wait (bounded) until this side's count stops moving
  for (let last = -1; last !== received && now() < drainUntil; ) {
    last = received;
    await sleep(100);
  }
  const cpu = process.cpuUsage(cpu0);
  const stats1 = bus!.stats();
  return {
    produceBatches: stats1.batches - stats0.batches,
    consumedBatches: stats1.consumedBatches - stats0.consumedBatches,
    step: msg.step,
    sent,
    received,
    failed,
    deliver: encode(hDeliver),
    publish: encode(hPublish),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

let chain: Promise<void> = Promise.resolve();
process.on("message", (raw) => {
  const msg = raw as BusToPeer;
  chain = chain.then(async () => {
    try {
      if (msg.cmd === "start") {
        await start(msg);
        reply({ ev: "ready" });
      } else if (msg.cmd === "step") reply({ ev: "step", result: await runStep(msg) });
      else if (msg.cmd === "stop") {
        if (msg.removeInbox) await bus?.removeInbox(msg.nodeId);
        await bus?.close();
        reply({ ev: "stopped" });
        setTimeout(() => process.exit(0), 50);
      }
    } catch (err) {
      reply({ ev: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.exit(1);
    }
  });
});
process.on("disconnect", () => process.exit(0));
