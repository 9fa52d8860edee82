/**
 * What a chaos run records, in one shape for the client workers (who write it), the runner (who
 * adds PostgreSQL's rows and the fault's times) and the checker (who judges it). Times are
 * Date.now() milliseconds on the one machine every process runs on.
 */

/** A message a client created, in creation order; `conn` = its connection epoch then (1 = first welcome). */
export interface SendRecord {
  user: string;
  conv: string;
  clientMsgId: string;
  conn: number;
  at: number;
  /** Failed its ACK clock and was re-sent by hand (retry): its place in the order is not promised. */
  retried: boolean;
}

/** The server confirmed a send: stored with this seq. */
export interface AckRecord {
  user: string;
  conv: string;
  clientMsgId: string;
  seq: number;
  at: number;
}

/** A `message` event: the client learnt a stored message (pushed, synced or paged in). */
export interface RecvRecord {
  user: string;
  conv: string;
  seq: number;
  clientMsgId: string | null;
  at: number;
}

/** A client's connection changed: `up` when welcomed by a node, `down` when it lost its socket. */
export interface ConnRecord {
  user: string;
  at: number;
  status: "up" | "down";
  nodeId?: string;
}

/** What a client held of a conversation at the end, as [seq, clientMsgId]. */
export interface HeldRecord {
  user: string;
  conv: string;
  messages: Array<[number, string | null]>;
}

/** One row of PostgreSQL's messages table (the source of truth). */
export interface StoredRow {
  conv: string;
  seq: number;
  clientMsgId: string | null;
  senderId: string | null;
}

/** One client worker's part of the history. */
export interface WorkerHistory {
  sends: SendRecord[];
  acks: AckRecord[];
  recvs: RecvRecord[];
  conns: ConnRecord[];
  held: HeldRecord[];
  /** Sends still unconfirmed when the worker gave up settling (not acknowledged: not judged lost). */
  unsettled: number;
}

export interface History extends WorkerHistory {
  stored: StoredRow[];
  /** conversation → the users of this run who are members (and whose clients must hold it all). */
  members: Record<string, string[]>;
  /** When the fault was injected and when the injection step returned (e.g. the restart finished). */
  fault: { at: number; endAt: number };
}

export function mergeWorkers(parts: WorkerHistory[]): WorkerHistory {
  return {
    sends: parts.flatMap((p) => p.sends),
    acks: parts.flatMap((p) => p.acks),
    recvs: parts.flatMap((p) => p.recvs),
    conns: parts.flatMap((p) => p.conns),
    held: parts.flatMap((p) => p.held),
    unsettled: parts.reduce((n, p) => n + p.unsettled, 0),
  };
}
