import { randomUUID } from "node:crypto";
import { nodeEnvelopeKey, type NodeEnvelope } from "@dim/shared";
import type { Bus } from "../src/types";
import { sleep } from "@dim/shared/async";
export { sleep };

/**
 * The envelopes these tests carry: node-protocol shapes, sent as JSON under their key, but never
 * validated (the buses carry payloads they do not read; some cases exceed the protocol's bounds
 * on purpose, to test the transport's).
 */
export type BusEnvelope = NodeEnvelope;

/** A bus that publishes and hands over envelopes (JSON under their node-protocol key) instead of raw records. */
export type EnvelopeBus<B extends Bus = Bus> = Omit<B, "publish" | "subscribe"> & {
  publish(targetNodeId: string, envelope: BusEnvelope): Promise<void>;
  subscribe(nodeId: string, handler: (envelope: BusEnvelope) => Promise<void>): Promise<void>;
};

export function withEnvelopes<B extends Bus>(bus: B): EnvelopeBus<B> {
  const publish = (targetNodeId: string, envelope: BusEnvelope) => bus.publish(targetNodeId, nodeEnvelopeKey(envelope), JSON.stringify(envelope));
  const subscribe = (nodeId: string, handler: (envelope: BusEnvelope) => Promise<void>) =>
    bus.subscribe(nodeId, (payload) => handler(JSON.parse(payload) as BusEnvelope));
  return new Proxy(bus, {
    get(target, prop) {
      if (prop === "publish") return publish;
      if (prop === "subscribe") return subscribe;
      const value: unknown = Reflect.get(target, prop);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as unknown as EnvelopeBus<B>;
}

/** Polls until `check` passes (returns without throwing), or fails with its last error. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 15_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await sleep(intervalMs);
    }
  }
}


export function deliver(conversationId: string, seq: number, body = `message ${seq}`, recipients: string[] = [randomUUID()]): BusEnvelope {
  return {
    type: "deliver",
    conversationId,
    recipients,
    message: {
      id: randomUUID(),
      conversationId,
      seq,
      senderId: randomUUID(),
      clientMsgId: `client-${seq}-${randomUUID().slice(0, 8)}`,
      kind: "text",
      body,
      createdAt: new Date().toISOString(),
    },
  };
}

export function receipt(conversationId: string, seq: number): BusEnvelope {
  return { type: "receipt", conversationId, userId: randomUUID(), kind: "read", seq, recipients: [randomUUID()] };
}

export const seqOf = (e: BusEnvelope) => (e.type === "deliver" ? e.message.seq : e.type === "receipt" ? e.seq : -1);
