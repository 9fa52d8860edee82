/**
 * What every bus needs to know about an envelope besides carrying it: its ordering key (Kafka's
 * record key, the embedded buses' per-key queue) and whether a decoded payload is one at all.
 */
import type { BusEnvelope } from "./types";

/**
 * Envelopes with the same key are handed over in publish order. Messages and receipts keep one
 * conversation in order; route announcements and their acks keep one sending node's in order.
 */
export function envelopeKey(envelope: BusEnvelope): string {
  switch (envelope.type) {
    case "deliver":
    case "receipt":
      return envelope.conversationId;
    case "routes.changed":
    case "routes.ack":
      return `node:${envelope.from}`;
  }
}

const nonEmpty = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/** Structural check of a decoded payload (the buses carry only what core nodes publish). */
export function isBusEnvelope(value: unknown): value is BusEnvelope {
  if (!value || typeof value !== "object") return false;
  const e = value as Record<string, unknown>;
  switch (e.type) {
    case "deliver":
      return nonEmpty(e.conversationId) && typeof e.message === "object" && e.message !== null && Array.isArray(e.recipients);
    case "receipt":
      return nonEmpty(e.conversationId) && nonEmpty(e.userId) && typeof e.seq === "number" && Array.isArray(e.recipients);
    case "routes.changed":
      return nonEmpty(e.from) && nonEmpty(e.ref) && Array.isArray(e.userIds) && e.userIds.every(nonEmpty);
    case "routes.ack":
      return nonEmpty(e.from) && nonEmpty(e.ref);
    default:
      return false;
  }
}
