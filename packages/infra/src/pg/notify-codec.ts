/**
 * A bus record as NOTIFY payloads. NOTIFY payloads must be shorter than 8000 bytes. A record
 * that fits is sent as one payload `r<key length>:<key><payload>`; a larger one (a long body in
 * multi-byte text, a big recipient list) is split into fragments
 * `f<id>:<index>:<count>:<base64 slice>` of that same text, sent in ONE transaction, which
 * PostgreSQL delivers together and in commit order, so records stay ordered. This needs no
 * table and never reads `messages`: the bus stays a self-contained doorbell.
 */
import { randomUUID } from "node:crypto";

export interface BusRecord {
  key: string;
  payload: string;
}

export const MAX_NOTIFY_BYTES = 7900;
const FRAGMENT_DATA_CHARS = 7800; // base64 is ASCII: chars = bytes; leaves room for the header

export function encodeRecord(key: string, payload: string): string[] {
  const text = `${key.length}:${key}${payload}`;
  if (Buffer.byteLength(text, "utf8") <= MAX_NOTIFY_BYTES - 1) return [`r${text}`];
  const data = Buffer.from(text, "utf8").toString("base64");
  const id = randomUUID().replaceAll("-", "");
  const count = Math.ceil(data.length / FRAGMENT_DATA_CHARS);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    parts.push(`f${id}:${i}:${count}:${data.slice(i * FRAGMENT_DATA_CHARS, (i + 1) * FRAGMENT_DATA_CHARS)}`);
  }
  return parts;
}

interface Partial {
  parts: Array<string | undefined>;
  received: number;
  startedAt: number;
}

/** Reassembles fragments on the receiving side; one per LISTEN connection. */
export class RecordDecoder {
  private readonly partials = new Map<string, Partial>();

  /** Returns the record once complete, undefined while waiting; throws on malformed input. */
  accept(payload: string, now = Date.now()): BusRecord | undefined {
    if (payload.startsWith("r")) return parseRecord(payload.slice(1));
    const m = /^f([0-9a-f]{32}):(\d+):(\d+):([A-Za-z0-9+/=]*)$/.exec(payload);
    if (!m) throw new Error("malformed bus payload");
    const [, id, indexText, countText, data] = m as unknown as [string, string, string, string, string];
    const index = Number(indexText);
    const count = Number(countText);
    if (count < 1 || index >= count) throw new Error("malformed bus fragment");
    let partial = this.partials.get(id);
    if (!partial) this.partials.set(id, (partial = { parts: new Array(count), received: 0, startedAt: now }));
    if (partial.parts.length !== count) throw new Error("inconsistent bus fragment count");
    if (partial.parts[index] === undefined) partial.received++;
    partial.parts[index] = data;
    if (partial.received < count) return undefined;
    this.partials.delete(id);
    return parseRecord(Buffer.from(partial.parts.join(""), "base64").toString("utf8"));
  }

  /** Drops incomplete records older than maxAgeMs (their rest was lost); returns how many. */
  sweep(maxAgeMs: number, now = Date.now()): number {
    let dropped = 0;
    for (const [id, partial] of this.partials) {
      if (now - partial.startedAt >= maxAgeMs) {
        this.partials.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  /** After a reconnect nothing in flight can complete. */
  reset(): void {
    this.partials.clear();
  }

  get pending(): number {
    return this.partials.size;
  }
}

function parseRecord(text: string): BusRecord {
  const m = /^(\d{1,4}):/.exec(text);
  const start = m ? m[0].length : 0;
  const keyLength = m ? Number(m[1]) : 0;
  if (keyLength < 1 || start + keyLength > text.length) throw new Error("malformed bus record");
  return { key: text.slice(start, start + keyLength), payload: text.slice(start + keyLength) };
}
