/**
 * The end-to-end checks shared by the cluster system tests: what a recipient holds against what
 * PostgreSQL stored and what each sender saw ACKed.
 */
import { expect } from "vitest";
import type { DimClient } from "@dim/client";
import { eventually, heldMessages, type ClusterSystem, type Sender } from "./system";

/** Counts `message` events per conversation and seq (a message shown twice would count 2). */
export class ArrivalLog {
  readonly counts = new Map<number, number>();
  private readonly off: () => void;

  constructor(client: DimClient, conversationId: string) {
    this.off = client.on("message", (m) => {
      if (m.conversationId !== conversationId || m.seq === null) return;
      this.counts.set(m.seq, (this.counts.get(m.seq) ?? 0) + 1);
    });
  }

  duplicates(): number[] {
    return [...this.counts].filter(([, n]) => n > 1).map(([seq]) => seq);
  }

  dispose(): void {
    this.off();
  }
}

/**
 * After the senders settled: the conversation in PostgreSQL is gap-free; every message a sender
 * saw ACKed is stored once with the seq it was told; the recipient eventually holds exactly the
 * stored messages, in seq order, each announced once; each sender's messages keep their send
 * order (for those that never failed and were retried).
 */
export async function expectExactlyOnceInOrder(opts: {
  system: ClusterSystem;
  conversationId: string;
  recipient: DimClient;
  arrivals: ArrivalLog;
  senders: Sender[];
  timeoutMs?: number;
}): Promise<{ stored: number }> {
  const { system, conversationId, recipient, arrivals, senders } = opts;
  const stored = await system.dbMessages(conversationId);
  expect(stored.map((m) => m.seq), "seq in PostgreSQL is gap-free from 1").toEqual(stored.map((_, i) => i + 1));
  const bySeq = new Map(stored.map((m) => [m.seq, m]));
  const byClientMsgId = new Map(stored.map((m) => [m.clientMsgId, m]));
  expect(byClientMsgId.size, "each clientMsgId stored once").toBe(stored.length);

  for (const sender of senders) {
    expect(sender.acked.size, `${sender.label} saw messages ACKed`).toBeGreaterThan(0);
    for (const [clientMsgId, seq] of sender.acked) {
      expect(byClientMsgId.get(clientMsgId)?.seq, `${sender.label}'s ACKed ${clientMsgId} stored with the seq it was told`).toBe(seq);
    }
    // After settle() every message it created was confirmed.
    for (const clientMsgId of sender.created) expect(sender.acked.has(clientMsgId), `${sender.label}: ${clientMsgId} ACKed`).toBe(true);
    const neverFailed = sender.created.filter((id) => !sender.failed.has(id)).map((id) => sender.acked.get(id)!);
    expect(neverFailed, `${sender.label}'s messages keep their send order`).toEqual([...neverFailed].sort((a, b) => a - b));
  }

  const lastSeq = stored.length;
  await eventually(
    () => {
      const held = heldMessages(recipient, conversationId);
      if (held.length !== lastSeq || held.at(-1)?.seq !== lastSeq) {
        throw new Error(`recipient holds ${held.length} (up to seq ${held.at(-1)?.seq ?? 0}) of ${lastSeq}`);
      }
    },
    "the recipient to hold every stored message",
    opts.timeoutMs ?? 60_000,
    200,
  );
  const held = heldMessages(recipient, conversationId);
  expect(held.map((m) => [m.seq, m.id]), "recipient view = PostgreSQL, in seq order").toEqual(stored.map((m) => [m.seq, m.id]));
  expect(held.map((m) => m.body)).toEqual(stored.map((m) => bySeq.get(m.seq)!.body));
  expect(arrivals.duplicates(), "no message announced twice to the recipient").toEqual([]);
  return { stored: lastSeq };
}
