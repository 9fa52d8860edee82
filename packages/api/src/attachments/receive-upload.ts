/**
 * Streams an upload's body to a temporary file, hashing and counting as it goes, and gives up as
 * soon as it passes its cap (the size limit, or what is left of the user's daily quota): an
 * oversize body is never buffered or written past the cap. A body that breaks off, or ends short
 * of its Content-Length, is `truncated`. The caller removes the file (`discard`).
 */
import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError, ErrorCode } from "@dim/shared";
import { rateLimited } from "../auth/rate-limiter";
import { rejectUpload } from "./reject";

/** Bytes kept from the start of the body for sniffing (file-type reads at most this many). */
const HEAD_BYTES = 4100;

export interface ReceivedUpload {
  path: string;
  size: number;
  sha256: string;
  head: Buffer;
  discard(): Promise<void>;
}

export interface UploadCaps {
  maxBytes: number;
  /** What is left of the user's bytes for today (a passing body is RATE_LIMITED, not too large). */
  quotaLeft: number;
}

function overCap(caps: UploadCaps): AppError {
  return caps.quotaLeft < caps.maxBytes
    ? rateLimited(60 * 60 * 1000, "uploaded bytes today")
    : new AppError(ErrorCode.PayloadTooLarge, `an upload may hold at most ${caps.maxBytes} bytes`, { maxBytes: caps.maxBytes });
}

export async function receiveUpload(req: Request, caps: UploadCaps): Promise<ReceivedUpload> {
  const cap = Math.min(caps.maxBytes, caps.quotaLeft);
  const declaredHeader = req.headers.get("content-length");
  const declared = declaredHeader === null ? null : Number(declaredHeader);
  if (declared !== null && Number.isFinite(declared) && declared > cap) throw overCap(caps);
  if (declared === 0 || !req.body) throw rejectUpload("empty", "the upload is empty");

  const dir = join(tmpdir(), "dim-uploads");
  await mkdir(dir, { recursive: true });
  const path = join(dir, randomUUID());
  const discard = () => rm(path, { force: true });
  const out = createWriteStream(path, { flags: "wx" });
  const outDone = new Promise<void>((resolve, reject) => {
    out.once("close", resolve);
    out.once("error", reject);
  });
  const hash = createHash("sha256");
  const head: Buffer[] = [];
  let headSize = 0;
  let size = 0;
  const reader = req.body.getReader();
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch {
        throw rejectUpload("truncated", "the upload broke off before its end");
      }
      if (chunk.done) break;
      const bytes = chunk.value;
      size += bytes.byteLength;
      if (size > cap) {
        await reader.cancel().catch(() => {});
        throw overCap(caps);
      }
      hash.update(bytes);
      if (headSize < HEAD_BYTES) {
        head.push(Buffer.from(bytes.subarray(0, HEAD_BYTES - headSize)));
        headSize += Math.min(bytes.byteLength, HEAD_BYTES - headSize);
      }
      if (!out.write(bytes)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
    }
    if (size === 0) throw rejectUpload("empty", "the upload is empty");
    if (declared !== null && size !== declared) throw rejectUpload("truncated", `the upload ended after ${size} of ${declared} bytes`);
    out.end();
    await outDone;
  } catch (err) {
    out.destroy();
    await outDone.catch(() => {});
    await discard();
    throw err;
  }
  return { path, size, sha256: hash.digest("hex"), head: Buffer.concat(head), discard };
}
