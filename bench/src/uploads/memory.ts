/**
 * RSS of the gateway while it receives one large upload, beside a trivial node:http server that
 * discards the same body (what Node's not-yet-collected chunks cost any streaming server) and one
 * that keeps it whole (what buffering costs). Each size gets fresh processes: RSS rarely shrinks,
 * so a process an earlier upload grew would understate the next one. Sampled every few ms from
 * /proc; a figure, not an assertion.
 */
import type { ChildProcess } from "node:child_process";
import { stopChildren } from "../extras-connections";
import { sleep } from "../procs";
import { rssOf } from "../proc-stats";
import { randomFile } from "./fixtures";
import { post, startUploadServers, type UploadEnv } from "./servers";

export interface RssSample {
  /** RSS just before the upload (median of a few samples), MB. */
  beforeMB: number;
  peakMB: number;
  afterMB: number;
  /** peak − before, MB. */
  peakDeltaMB: number;
  samples: number;
}

export interface MemoryFigure {
  fileMegabytes: number;
  gateway: RssSample;
  sink: RssSample;
  bufferingSink: RssSample;
  /** The gateway's peak − before, per uploaded MB. */
  gatewayPeakDeltaPerFileMB: number;
}

const MB = 1e6;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** RSS of `pid` while `work` runs, sampled every `everyMs`. */
async function sampleRss(pid: number, work: () => Promise<unknown>, everyMs = 5): Promise<RssSample> {
  const before: number[] = [];
  for (let i = 0; i < 10; i++) {
    before.push(rssOf(pid));
    await sleep(20);
  }
  let peak = 0;
  let samples = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
    samples++;
  }, everyMs);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, rssOf(pid));
  await sleep(100);
  const after = rssOf(pid);
  const b = median(before);
  return { beforeMB: round(b / MB), peakMB: round(peak / MB), afterMB: round(after / MB), peakDeltaMB: round((peak - b) / MB), samples };
}

export async function measureUploadMemory(fileMegabytes: number, e: UploadEnv, token: string): Promise<MemoryFigure> {
  const children: ChildProcess[] = [];
  try {
    const s = await startUploadServers(e, children);
    // Warm each (first request, JIT, pooled connections), unrecorded.
    const warm = randomFile(1);
    await post(s.uploadUrl("warm.bin"), warm, token);
    await post(s.sinkUrl, warm);
    await post(s.bufferingUrl, warm);
    const file = randomFile(fileMegabytes);
    const gateway = await sampleRss(s.gateway.pid!, () => post(s.uploadUrl("big.bin"), file, token));
    const sink = await sampleRss(s.sink.pid!, () => post(s.sinkUrl, file));
    const bufferingSink = await sampleRss(s.bufferingSink.pid!, () => post(s.bufferingUrl, file));
    return { fileMegabytes, gateway, sink, bufferingSink, gatewayPeakDeltaPerFileMB: round(gateway.peakDeltaMB / fileMegabytes, 3) };
  } finally {
    await stopChildren(children);
  }
}
