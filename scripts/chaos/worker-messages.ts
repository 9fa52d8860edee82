/** The IPC between the chaos runner and its client worker processes (worker.ts). */
import type { WorkerHistory } from "./history";

export interface PersonSpec {
  userId: string;
  token: string;
  /** The conversations this client sends into (round-robin). */
  convs: string[];
}

export type ToWorker =
  | { cmd: "setup"; gatewayUrl: string; people: PersonSpec[]; ratePerClient: number; window: number }
  | { cmd: "start" }
  /** Drops these clients' sockets abruptly (no close frame: the TCP connection is destroyed). */
  | { cmd: "disconnect"; userIds: string[] }
  /** Stop sending, re-send what failed, wait until nothing is unconfirmed and then quiet, report. */
  | { cmd: "settle"; timeoutMs: number; quietMs: number }
  /** What each client holds now (the runner asks again while stored messages are still arriving). */
  | { cmd: "held" }
  | { cmd: "exit" };

export type FromWorker =
  | { ev: "ready" }
  | { ev: "disconnected"; count: number }
  | { ev: "settled"; history: WorkerHistory }
  | { ev: "held"; held: WorkerHistory["held"] }
  | { ev: "log"; line: string }
  | { ev: "error"; message: string };
