import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { nodeEnvelopeKey } from "@dim/shared";
import { RecordDecoder, MAX_NOTIFY_BYTES, encodeRecord, type BusRecord } from "../src/pg/notify-codec";
import { channelFor } from "../src/pg/pg-bus";
import { deliver, receipt, type BusEnvelope } from "./helpers";

/** An envelope as the record a bus carries. */
const recordOf = (e: BusEnvelope): BusRecord => ({ key: nodeEnvelopeKey(e), payload: JSON.stringify(e) });
const encodeEnvelope = (e: BusEnvelope) => encodeRecord(recordOf(e).key, recordOf(e).payload);
/** The record decoder, handing back envelopes (undefined while a record is incomplete). */
class EnvelopeDecoder {
  private readonly records = new RecordDecoder();
  accept(payload: string, now?: number): BusEnvelope | undefined {
    const record = this.records.accept(payload, now);
    if (record) expect(record.key).toBe(nodeEnvelopeKey(JSON.parse(record.payload) as BusEnvelope));
    return record && (JSON.parse(record.payload) as BusEnvelope);
  }
  sweep(maxAgeMs: number, now?: number): number {
    return this.records.sweep(maxAgeMs, now);
  }
  get pending(): number {
    return this.records.pending;
  }
}

describe("NOTIFY codec", () => {
  it("sends a small envelope as one payload", () => {
    const e = receipt(randomUUID(), 3);
    const parts = encodeEnvelope(e);
    expect(parts).toHaveLength(1);
    expect(new EnvelopeDecoder().accept(parts[0]!)).toEqual(e);
  });

  it("fragments a large envelope under the NOTIFY limit and reassembles it in any order", () => {
    const e = deliver(randomUUID(), 1, "字".repeat(4000), Array.from({ length: 300 }, () => randomUUID()));
    const parts = encodeEnvelope(e);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(Buffer.byteLength(p)).toBeLessThan(MAX_NOTIFY_BYTES);

    const other = deliver(randomUUID(), 2, "x".repeat(9000));
    const otherParts = encodeEnvelope(other);
    const decoder = new EnvelopeDecoder();
    // Interleaved and reversed: fragments are matched by id and index.
    const out = [...parts].reverse().flatMap((p, i) => [decoder.accept(p), otherParts[i] ? decoder.accept(otherParts[i]) : undefined]);
    expect(out.filter(Boolean)).toEqual([other, e]);
    expect(decoder.pending).toBe(0);
  });

  it("rejects malformed payloads and sweeps incomplete envelopes", () => {
    const decoder = new EnvelopeDecoder();
    expect(() => decoder.accept("nonsense")).toThrow();
    expect(() => decoder.accept("j{not json")).toThrow();
    expect(() => decoder.accept('j{"type":"deliver"}')).toThrow();
    // a record's key length must fit its text
    expect(() => decoder.accept("r99:ab")).toThrow();
    expect(() => decoder.accept("rx:{}")).toThrow();
    expect(() => decoder.accept("r0:{}")).toThrow();
    const parts = encodeEnvelope(deliver(randomUUID(), 1, "y".repeat(20_000)));
    expect(decoder.accept(parts[0]!, 1_000)).toBeUndefined();
    expect(decoder.sweep(30_000, 2_000)).toBe(0);
    expect(decoder.sweep(30_000, 31_000)).toBe(1);
    expect(decoder.pending).toBe(0);
  });
});

describe("channelFor", () => {
  it("gives safe, distinct channel names of at most 63 bytes", () => {
    const ids = ["node-1", "node_1", "NODE-1", "ünïcode node", "x".repeat(200)];
    const channels = ids.map(channelFor);
    expect(new Set(channels).size).toBe(ids.length);
    for (const c of channels) {
      expect(c).toMatch(/^[a-z0-9_]+$/);
      expect(Buffer.byteLength(c)).toBeLessThanOrEqual(63);
    }
    expect(channelFor("node-1")).toBe(channelFor("node-1"));
  });
});
