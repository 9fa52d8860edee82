/** IPC between the coordinator and the group load-generator processes (loadgen/group-worker.ts). */
import type { ConnSpec, SystemKind } from "./messages";

/** A connection of a group member; `member` is its index among all the run's members (0 = the groups' owner). */
export interface GroupConnSpec extends ConnSpec {
  member: number;
}

export type ToGroupWorker =
  | { cmd: "setup"; system: SystemKind; conns: GroupConnSpec[]; connectConcurrency: number }
  | {
      cmd: "step";
      step: number;
      /** DIM: the group's conversation id; Socket.IO: the room name. */
      group: string;
      /** Members 0 … size-1 are the group (every member index below `size`). */
      size: number;
      /** Member indexes of the senders; message n is sent by senders[n % senders.length]. */
      senders: number[];
      /** Id prefix, unique in the run (clientMsgIds must be unique per conversation). */
      idPrefix: string;
      ratePerSec: number;
      /** Message n is scheduled at t0Epoch + n / rate (wall clock, ms: the same in every process). */
      t0Epoch: number;
      warmupMs: number;
      durationMs: number;
      drainMs: number;
      bodyBytes: number;
    }
  | { cmd: "close" };

export interface GroupStepResult {
  step: number;
  /** Measured messages this process sent (and of those, ACKed to the sender). */
  sent: number;
  acked: number;
  errors: number;
  errorSamples: string[];
  maxSendLagMs: number;
  /** Deliveries of measured messages to this process's members, the ones expected, and copies of one a member already had. */
  delivered: number;
  expected: number;
  duplicates: number;
  /** Encoded HDR histograms (µs): every delivery to a member, and the sender's ACK. */
  deliveries: string;
  ack: string;
  /** Per measured message (index n - firstMeasured): deliveries here and the latest of them (µs from its scheduled time, 0 if none). */
  firstMeasured: number;
  localCount: number[];
  localLastUs: number[];
  cpuSeconds: number;
}

export type FromGroupWorker =
  | { ev: "ready"; connected: number; failed: number; firstError?: string; connectMs: number }
  | { ev: "step"; result: GroupStepResult }
  | { ev: "log"; line: string }
  | { ev: "closed" };
