/**
 * The processes of the upload extras: DIM's gateway with a blob directory, and two trivial
 * node:http servers (servers/sink-server.ts), one discarding bodies, one keeping them whole, so
 * each memory sample starts from a process no other upload has grown. Plus the one HTTP POST
 * every upload figure is timed with.
 */
import type { ChildProcess } from "node:child_process";
import { UPLOAD_ENDPOINT } from "@dim/shared";
import { forkTs, waitMessage } from "../procs";

export interface UploadServers {
  gateway: ChildProcess;
  sink: ChildProcess;
  bufferingSink: ChildProcess;
  gatewayUrl: string;
  uploadUrl(name: string): string;
  sinkUrl: string;
  bufferingUrl: string;
}

export interface UploadEnv {
  /** The gateway's environment (database, secret), with DIM_BLOB_DIR. */
  env: Record<string, string>;
  /** The gateway's upload limit (bytes): raised above the default when a memory sample needs it. */
  maxBytes: number;
  verbose: boolean;
}

const urlOf = (m: unknown) => ((m as { url?: string }).url ? (m as { url: string }).url : undefined);

/** Starts the three processes (pushed to `children` for the caller to stop) and waits for them. */
export async function startUploadServers(e: UploadEnv, children: ChildProcess[]): Promise<UploadServers> {
  const gateway = forkTs("servers/gateway-server.ts", "gateway", { ...e.env, DIM_UPLOAD_SWEEP_MS: "0", BENCH_UPLOAD_MAX_BYTES: String(e.maxBytes) }, e.verbose);
  const sink = forkTs("servers/sink-server.ts", "upload-sink", {}, e.verbose);
  const bufferingSink = forkTs("servers/sink-server.ts", "upload-sink-buffering", {}, e.verbose);
  children.push(gateway, sink, bufferingSink);
  const [gatewayUrl, sinkUrl, bufferingUrl] = await Promise.all([
    waitMessage(gateway, urlOf, "gateway"),
    waitMessage(sink, urlOf, "upload-sink"),
    waitMessage(bufferingSink, urlOf, "upload-sink-buffering"),
  ]);
  return {
    gateway,
    sink,
    bufferingSink,
    gatewayUrl,
    uploadUrl: (name) => `${gatewayUrl}${UPLOAD_ENDPOINT}?name=${encodeURIComponent(name)}`,
    sinkUrl,
    bufferingUrl: `${bufferingUrl}/?buffer=1`,
  };
}

export async function post(url: string, body: Buffer, token?: string): Promise<{ ms: number; text: string }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: "POST", body, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 201) throw new Error(`upload to ${url} answered ${res.status}: ${text.slice(0, 200)}`);
  return { ms, text };
}
