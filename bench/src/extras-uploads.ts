/**
 * Upload figures of DIM's gateway (issue 11), each beside a baseline of the same run so they read
 * as ratios on whatever machine ran them:
 *  - file throughput (MB/s, 1 MB = 10^6 bytes) of POST /api/files with a session, against the
 *    same bytes POSTed to a trivial node:http server that discards them (servers/sink-server.ts);
 *  - image time per megapixel (upload → 201, which the route answers once the re-encoded image,
 *    its thumbnail and its placeholder are stored) for generated JPEG photos and PNG screenshots,
 *    against the same sharp work done in the bench process alone (uploads/baseline-sharp.ts);
 *  - the gateway's RSS sampled every few ms during one large upload, against its RSS just before:
 *    the upload is streamed to a temporary file, so the peak should grow far less than the file.
 *    The trivial server is sampled the same way, discarding the body (what garbage not yet
 *    collected costs) and keeping it whole (what buffering costs). A figure, not an assertion.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UPLOAD_ENDPOINT, thumbnailUrl, uploadResponse } from "@dim/shared";
import { openExtrasDatabase, stopChildren } from "./extras-connections";
import { forkTs, sleep, waitMessage } from "./procs";
import { rssOf } from "./proc-stats";
import type { BenchOptions } from "./run";
import type { Services } from "./services";
import { registerUsers } from "./systems";
import { sharpPipelineMs } from "./uploads/baseline-sharp";
import { generateImage, randomFile } from "./uploads/fixtures";

export interface UploadOptions {
  /** Image sizes, in megapixels; each is generated as a JPEG and as a PNG. */
  megapixels: number[];
  /** The large file's size in MB (the memory sample and the throughput runs). */
  fileMegabytes: number;
  /** Timed repetitions of each upload (the median is reported). */
  reps: number;
}

export interface RssSample {
  /** RSS just before the upload (median of a few samples), MB. */
  beforeMB: number;
  peakMB: number;
  afterMB: number;
  /** peak − before, MB. */
  peakDeltaMB: number;
  samples: number;
}

export interface ImageFigure {
  format: "jpeg" | "png";
  megapixels: number;
  width: number;
  height: number;
  /** The generated upload's size, MB. */
  uploadMB: number;
  gatewayMs: number;
  gatewayMsPerMP: number;
  sharpMs: number;
  sharpMsPerMP: number;
  /** gatewayMs / sharpMs. */
  ratio: number;
}

export interface UploadFigures {
  options: UploadOptions;
  file: { megabytes: number; gatewayMBps: number; sinkMBps: number; ratio: number; gatewayMs: number[]; sinkMs: number[] };
  /** RSS during one large upload: the gateway; the trivial server discarding it, and keeping it whole. */
  memory: { fileMegabytes: number; gateway: RssSample; sink: RssSample; bufferingSink: RssSample; gatewayPeakDeltaPerFileMB: number };
  images: ImageFigure[];
}

const MB = 1e6;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function post(url: string, body: Buffer, token?: string): Promise<{ ms: number; res: Response; text: string }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: "POST", body, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 201) throw new Error(`upload to ${url} answered ${res.status}: ${text.slice(0, 200)}`);
  return { ms, res, text };
}

/** RSS of `pid` while `work` runs, sampled every `everyMs`. */
async function sampleRss<T>(pid: number, work: () => Promise<T>, everyMs = 5): Promise<{ result: T; sample: RssSample }> {
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
    const result = await work();
    peak = Math.max(peak, rssOf(pid));
    await sleep(100);
    const after = rssOf(pid);
    const b = median(before);
    return { result, sample: { beforeMB: round(b / MB, 1), peakMB: round(peak / MB, 1), afterMB: round(after / MB, 1), peakDeltaMB: round((peak - b) / MB, 1), samples } };
  } finally {
    clearInterval(timer);
  }
}

export async function measureUploads(services: Services, opts: BenchOptions, u: UploadOptions, log: (l: string) => void): Promise<UploadFigures> {
  const blobDir = mkdtempSync(join(tmpdir(), "dim-bench-blobs-"));
  const { tag, env, sql } = await openExtrasDatabase(services);
  const children: ChildProcess[] = [];
  try {
    const gateway = forkTs("servers/gateway-server.ts", "gateway", { ...env, DIM_BLOB_DIR: blobDir, DIM_UPLOAD_SWEEP_MS: "0" }, opts.verbose);
    children.push(gateway);
    // Two trivial servers, so each memory sample starts from a process no other upload has grown.
    const sink = forkTs("servers/sink-server.ts", "upload-sink", {}, opts.verbose);
    const bufferingSink = forkTs("servers/sink-server.ts", "upload-sink-buffering", {}, opts.verbose);
    children.push(sink, bufferingSink);
    const urlOf = (m: unknown) => ((m as { url?: string }).url ? (m as { url: string }).url : undefined);
    const [gatewayUrl, sinkUrl, bufferingUrl] = await Promise.all([
      waitMessage(gateway, urlOf, "gateway"),
      waitMessage(sink, urlOf, "upload-sink"),
      waitMessage(bufferingSink, urlOf, "upload-sink-buffering"),
    ]);
    const [user] = await registerUsers(gatewayUrl, 1, `${tag}_up_`, 1);
    const token = user!.sessionToken;
    const uploadUrl = (name: string) => `${gatewayUrl}${UPLOAD_ENDPOINT}?name=${encodeURIComponent(name)}`;

    // Warm both servers (first request, JIT, pooled connections), unrecorded.
    const warm = randomFile(1);
    await post(uploadUrl("warm.bin"), warm, token);
    await post(sinkUrl, warm);
    await post(`${bufferingUrl}/?buffer=1`, warm);

    // ── memory during one large upload (before any image: sharp's buffers would blur it) ──
    const file = randomFile(u.fileMegabytes);
    const memGw = await sampleRss(gateway.pid!, () => post(uploadUrl("big.bin"), file, token));
    const memSink = await sampleRss(sink.pid!, () => post(sinkUrl, file));
    const memBuffering = await sampleRss(bufferingSink.pid!, () => post(`${bufferingUrl}/?buffer=1`, file));
    const memory = {
      fileMegabytes: u.fileMegabytes,
      gateway: memGw.sample,
      sink: memSink.sample,
      bufferingSink: memBuffering.sample,
      gatewayPeakDeltaPerFileMB: round(memGw.sample.peakDeltaMB / u.fileMegabytes, 3),
    };
    log(
      `uploads: ${u.fileMegabytes} MB file: gateway RSS ${memory.gateway.beforeMB} → peak ${memory.gateway.peakMB} MB (+${memory.gateway.peakDeltaMB}); ` +
        `node:http discarding +${memory.sink.peakDeltaMB} MB, buffering +${memory.bufferingSink.peakDeltaMB} MB`,
    );

    // ── file throughput, interleaved gateway / sink ──
    const gatewayMs: number[] = [];
    const sinkMs: number[] = [];
    for (let i = 0; i < u.reps; i++) {
      gatewayMs.push((await post(uploadUrl(`file-${i}.bin`), file, token)).ms);
      sinkMs.push((await post(sinkUrl, file)).ms);
    }
    const mbps = (ms: number[]) => round(u.fileMegabytes / (median(ms) / 1000), 1);
    const fileFig = { megabytes: u.fileMegabytes, gatewayMBps: mbps(gatewayMs), sinkMBps: mbps(sinkMs), ratio: round(mbps(gatewayMs) / mbps(sinkMs), 3), gatewayMs: gatewayMs.map((x) => round(x, 1)), sinkMs: sinkMs.map((x) => round(x, 1)) };
    log(`uploads: ${u.fileMegabytes} MB file ${fileFig.gatewayMBps} MB/s through the gateway, ${fileFig.sinkMBps} MB/s to the discarding server (ratio ${fileFig.ratio})`);

    // ── images: gateway upload → thumbnail stored, against sharp alone ──
    const images: ImageFigure[] = [];
    for (const mp of u.megapixels) {
      for (const format of ["jpeg", "png"] as const) {
        const img = await generateImage(format, mp);
        const name = `bench-${mp}mp.${format === "jpeg" ? "jpg" : "png"}`;
        const gw: number[] = [];
        const sh: number[] = [];
        let attachmentId = "";
        for (let i = 0; i < u.reps; i++) {
          const { ms, text } = await post(uploadUrl(name), img.bytes, token);
          const att = uploadResponse.parse(JSON.parse(text)).attachment;
          if (att.kind !== "image" || att.width !== img.width || att.height !== img.height) throw new Error(`${name} came back as ${att.kind} ${att.width}×${att.height}`);
          attachmentId = att.id;
          gw.push(ms);
          sh.push(await sharpPipelineMs(img.bytes, format));
        }
        const thumb = await fetch(`${gatewayUrl}${thumbnailUrl(attachmentId)}`, { headers: { authorization: `Bearer ${token}` } });
        await thumb.arrayBuffer();
        if (thumb.status !== 200 || thumb.headers.get("content-type") !== "image/webp") throw new Error(`${name}: thumbnail answered ${thumb.status} ${thumb.headers.get("content-type")}`);
        const realMp = (img.width * img.height) / 1e6;
        const gatewayMsMedian = median(gw);
        const sharpMs = median(sh);
        const fig: ImageFigure = {
          format,
          megapixels: mp,
          width: img.width,
          height: img.height,
          uploadMB: round(img.bytes.length / MB),
          gatewayMs: round(gatewayMsMedian, 1),
          gatewayMsPerMP: round(gatewayMsMedian / realMp, 1),
          sharpMs: round(sharpMs, 1),
          sharpMsPerMP: round(sharpMs / realMp, 1),
          ratio: round(gatewayMsMedian / sharpMs),
        };
        images.push(fig);
        log(`uploads: ${format} ${mp} MP (${fig.uploadMB} MB): ${fig.gatewayMsPerMP} ms/MP through the gateway, ${fig.sharpMsPerMP} ms/MP sharp alone (ratio ${fig.ratio})`);
      }
    }
    return { options: u, file: fileFig, memory, images };
  } finally {
    await stopChildren(children);
    await sql.end();
    rmSync(blobDir, { recursive: true, force: true });
  }
}

/** Only the upload figures (`--extras uploads`). */
export async function measureUploadExtras(services: Services, opts: BenchOptions): Promise<{ notes: string[]; uploads?: UploadFigures }> {
  const log = (l: string) => opts.log(`  [extras] ${l}`);
  const out: { notes: string[]; uploads?: UploadFigures } = { notes: [] };
  try {
    out.uploads = await measureUploads(services, opts, opts.extras!.uploads, log);
    out.notes.push(uploadNote(out.uploads));
  } catch (err) {
    out.notes.push(`upload extras failed: ${err instanceof Error ? err.message : String(err)}`);
    log(out.notes.at(-1)!);
  }
  return out;
}

export function uploadNote(f: UploadFigures): string {
  const big = f.images.at(-1);
  return (
    `uploads: ${f.file.gatewayMBps} MB/s (${f.file.ratio} of a discarding server), gateway RSS +${f.memory.gateway.peakDeltaMB} MB during a ${f.memory.fileMegabytes} MB upload` +
    (big ? `; ${big.format} ${big.megapixels} MP ${big.gatewayMsPerMP} ms/MP (${big.ratio} × sharp alone)` : "")
  );
}
