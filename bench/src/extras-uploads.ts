/**
 * Upload figures of DIM's gateway (issue 11), each beside a baseline of the same run so they read
 * as ratios on whatever machine ran them:
 *  - file throughput (MB/s, 1 MB = 10^6 bytes) of POST /api/files with a session, against the
 *    same bytes POSTed to a trivial node:http server that discards them (servers/sink-server.ts);
 *  - image time per megapixel (upload → 201, which the route answers once the re-encoded image,
 *    its thumbnail and its placeholder are stored) for generated JPEG photos and PNG screenshots,
 *    against the same sharp work done in the bench process alone (uploads/baseline-sharp.ts);
 *  - the gateway's RSS during one large upload against a discarding and a buffering node:http
 *    server (uploads/memory.ts): streamed to a temporary file, it should grow like the former.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { thumbnailUrl, uploadResponse } from "@dim/shared";
import { openExtrasDatabase, stopChildren } from "./extras-connections";
import type { BenchOptions } from "./run";
import type { Services } from "./services";
import { registerUsers } from "./systems";
import { sharpPipelineMs } from "./uploads/baseline-sharp";
import { generateImage, randomFile } from "./uploads/fixtures";
import { measureUploadMemory, type MemoryFigure } from "./uploads/memory";
import { post, startUploadServers } from "./uploads/servers";

export interface UploadOptions {
  /** Image sizes, in megapixels; each is generated as a JPEG and as a PNG. */
  megapixels: number[];
  /** The file of the throughput runs, MB. */
  fileMegabytes: number;
  /** Upload sizes of the memory samples, MB (the bench gateway's limit is raised to the largest). */
  memoryMegabytes: number[];
  /** Timed repetitions of each upload (the median is reported). */
  reps: number;
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
  memory: MemoryFigure[];
  images: ImageFigure[];
}

const MB = 1e6;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function measureUploads(services: Services, opts: BenchOptions, u: UploadOptions, log: (l: string) => void): Promise<UploadFigures> {
  const blobDir = mkdtempSync(join(tmpdir(), "dim-bench-blobs-"));
  const { tag, env, sql } = await openExtrasDatabase(services);
  const upEnv = { env: { ...env, DIM_BLOB_DIR: blobDir }, maxBytes: Math.ceil(Math.max(25, u.fileMegabytes, ...u.memoryMegabytes) * MB) + 1024, verbose: opts.verbose };
  const children: ChildProcess[] = [];
  try {
    const s = await startUploadServers(upEnv, children);
    const [user] = await registerUsers(s.gatewayUrl, 1, `${tag}_up_`, 1);
    const token = user!.sessionToken;

    // ── memory during one large upload, fresh processes per size (before any image) ──
    const memory: MemoryFigure[] = [];
    for (const mb of u.memoryMegabytes) {
      const m = await measureUploadMemory(mb, upEnv, token);
      memory.push(m);
      log(
        `uploads: ${mb} MB file: gateway RSS ${m.gateway.beforeMB} → peak ${m.gateway.peakMB} MB (+${m.gateway.peakDeltaMB}); ` +
          `node:http discarding +${m.sink.peakDeltaMB} MB, buffering +${m.bufferingSink.peakDeltaMB} MB`,
      );
    }

    // ── file throughput, interleaved gateway / discarding server, after an unrecorded warm-up ──
    const file = randomFile(u.fileMegabytes);
    await post(s.uploadUrl("warm.bin"), file, token);
    await post(s.sinkUrl, file);
    const gatewayMs: number[] = [];
    const sinkMs: number[] = [];
    for (let i = 0; i < u.reps; i++) {
      gatewayMs.push((await post(s.uploadUrl(`file-${i}.bin`), file, token)).ms);
      sinkMs.push((await post(s.sinkUrl, file)).ms);
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
          const { ms, text } = await post(s.uploadUrl(name), img.bytes, token);
          const att = uploadResponse.parse(JSON.parse(text)).attachment;
          if (att.kind !== "image" || att.width !== img.width || att.height !== img.height) throw new Error(`${name} came back as ${att.kind} ${att.width}×${att.height}`);
          attachmentId = att.id;
          gw.push(ms);
          sh.push(await sharpPipelineMs(img.bytes, format));
        }
        const thumbUrl = `${s.gatewayUrl}${thumbnailUrl(attachmentId)}`;
        const thumb = await fetch(thumbUrl, { headers: { authorization: `Bearer ${token}` } });
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
  const mem = f.memory.map((m) => `+${m.gateway.peakDeltaMB} MB during ${m.fileMegabytes} MB (buffering server +${m.bufferingSink.peakDeltaMB})`).join(", ");
  return (
    `uploads: ${f.file.gatewayMBps} MB/s (${f.file.ratio} of a discarding server), gateway RSS ${mem}` +
    (big ? `; ${big.format} ${big.megapixels} MP ${big.gatewayMsPerMP} ms/MP (${big.ratio} × sharp alone)` : "")
  );
}
