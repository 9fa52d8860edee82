/** IPC between the coordinator and the load-generator processes (child_process.fork). */

export type SystemKind = "dim" | "socketio" | "ws";

export interface ConnSpec {
  /** Index of this connection in the worker's list. */
  key: number;
  /** DIM user id / baseline user name. */
  userId: string;
  url: string;
  /** DIM: socket token from nodes.assign. */
  token?: string;
  /** Loopback source address (127.0.0.x): spreads the 4-tuples. */
  localAddress: string;
  /** Socket.IO rooms baseline: the group rooms this socket joins at its handshake. */
  rooms?: string[];
}

export interface PairSpec {
  from: number;
  to: number;
  /** Sender and recipient on the same server, or not. */
  cls: "same" | "cross";
  /** DIM conversation id; baselines address the recipient's user id. */
  conversationId?: string;
}

export type ToWorker =
  | {
      cmd: "setup";
      system: SystemKind;
      conns: ConnSpec[];
      pairs: PairSpec[];
      connectConcurrency: number;
      /** DIM connections that only authenticate and stay idle (lean client, see dim-idle-client.ts). */
      idle?: boolean;
      /** DIM: a `typing` before a message when the last one of that socket in that conversation is ≥ 3 s old (--typing). */
      typing?: boolean;
    }
  | { cmd: "step"; step: number; ratePerSec: number; warmupMs: number; durationMs: number; drainMs: number; bodyBytes: number }
  | { cmd: "close" };

export interface StepResult {
  step: number;
  /** Messages scheduled (and written) in the measured window. */
  sent: number;
  /** Of those, delivered to the recipient before the drain ended. */
  delivered: number;
  /** Of those, ACKed to the sender (DIM: `sent`, Socket.IO: ack callback, ws: ack frame). */
  acked: number;
  /** Error frames / failed emits during the step. */
  errors: number;
  /** DIM --typing: `typing` frames written in the measured window, and `typing` frames received. */
  typingSent: number;
  typingReceived: number;
  errorSamples: string[];
  /** Largest delay between a message's scheduled time and its write (the generator falling behind), ms. */
  maxSendLagMs: number;
  /** Encoded HDR histograms (µs). */
  sameE2E: string;
  crossE2E: string;
  ack: string;
  /** Measured window actually covered, ms. */
  windowMs: number;
  /** This load process's own CPU seconds during the step. */
  cpuSeconds: number;
}

export type FromWorker =
  | { ev: "ready"; connected: number; failed: number; firstError?: string; connectMs: number }
  | { ev: "step"; result: StepResult }
  | { ev: "log"; line: string }
  | { ev: "closed" };
