import { randomUUID } from "node:crypto";
import type { BusEnvelope } from "../src/types";
import { sleep } from "@dim/shared/async";
export { sleep };

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
