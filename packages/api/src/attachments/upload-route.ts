/**
 * POST /api/files?name=<file name>: the raw bytes as the body (no multipart), the session as for
 * tRPC. Answers 201 `{ attachment }` (uploadResponse) — the caller's own, unsent upload — or a
 * typed error, and then nothing is stored: the temporary file is removed, and blobs and row are
 * written together only once everything passed.
 */
import { createHash, randomUUID } from "node:crypto";
import type { UploadResponse } from "@dim/shared";
import { rateLimited } from "../auth/rate-limiter";
import { bytesToday, saveAttachment, toRef, type AttachmentRow, type BlobWrite } from "./attachment-rows";
import { checkFileName } from "./file-name";
import type { FileRouteDeps } from "./file-routes";
import { jsonResponse } from "./file-response";
import { processImage } from "./process-image";
import { receiveUpload } from "./receive-upload";
import { sniff } from "./sniff";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export async function handleUpload(deps: FileRouteDeps, req: Request, userId: string): Promise<Response> {
  const { config } = deps;
  const name = checkFileName(new URL(req.url).searchParams.get("name"));
  const turn = await deps.uploadsByUser.take(userId);
  if (!turn.ok) throw rateLimited(turn.retryAfterMs, "uploads");
  const quotaLeft = Math.max(0, config.uploadBytesPerDay - (await bytesToday(deps.sql, userId)));
  if (quotaLeft === 0) throw rateLimited(60 * 60 * 1000, "uploaded bytes today");

  const upload = await receiveUpload(req, { maxBytes: config.uploadMaxBytes, quotaLeft });
  try {
    const sniffed = await sniff(upload.head, name, req.headers.get("content-type"));
    const image = sniffed.image ? await processImage(upload.path, sniffed.image, config.uploadMaxPixels) : null;
    const id = randomUUID();
    let row: AttachmentRow;
    let writes: BlobWrite[];
    if (image) {
      const key = sha256(image.bytes);
      const thumbKey = sha256(image.thumbnail);
      row = {
        id,
        ownerId: userId,
        kind: "image",
        sha256: key,
        size: image.bytes.byteLength,
        mime: image.mime,
        name,
        width: image.width,
        height: image.height,
        thumbnailKey: thumbKey,
        placeholder: image.placeholder,
      };
      writes = [
        { key, write: () => deps.blobs.putBytes(key, image.bytes, image.mime) },
        ...(thumbKey !== key ? [{ key: thumbKey, write: () => deps.blobs.putBytes(thumbKey, image.thumbnail, "image/webp") }] : []),
      ];
    } else {
      // A HEIC this sharp cannot decode is kept as it came, as a file.
      row = { id, ownerId: userId, kind: "file", sha256: upload.sha256, size: upload.size, mime: sniffed.mime, name, width: null, height: null, thumbnailKey: null, placeholder: null };
      writes = [{ key: upload.sha256, write: () => deps.blobs.putFile(upload.sha256, upload.path, sniffed.mime) }];
    }
    await saveAttachment(deps.prisma, row, writes);
    deps.logger.info({ attachmentId: id, userId, kind: row.kind, size: row.size }, "attachment uploaded");
    const body: UploadResponse = { attachment: toRef(row) };
    return jsonResponse(201, body);
  } finally {
    await upload.discard();
  }
}
