/**
 * GET (and HEAD) /api/files/<id> and /api/files/<id>/thumb: an attachment's bytes, for its owner
 * and for members who may see the message that sent it (attachmentForViewer); anyone else gets
 * NOT_FOUND, as for an id that does not exist (no probing for ids). Images are served inline as
 * the image types we encoded; everything else as a download (`Content-Disposition: attachment`),
 * so no uploaded HTML or SVG is ever rendered by the browser, and every answer is `nosniff` with a
 * sandboxing CSP. Single byte ranges are served (206) for large files and media seeking.
 */
import { Readable } from "node:stream";
import { AppError, ErrorCode } from "@dim/shared";
import { attachmentForViewer } from "./attachment-rows";
import { parseRange } from "./byte-range";
import type { FileRouteDeps } from "./file-routes";

/** The inline types: exactly what process-image.ts writes. */
const INLINE_TYPES = new Set(["image/jpeg", "image/png", "image/webp", "image/gif"]);

function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export async function handleDownload(deps: FileRouteDeps, req: Request, userId: string, id: string, thumb: boolean): Promise<Response> {
  const row = await attachmentForViewer(deps.sql, id, userId);
  const notFound = () => new AppError(ErrorCode.NotFound, thumb ? "no such thumbnail" : "no such attachment");
  if (!row) throw notFound();
  const key = thumb ? row.thumbnailKey : row.sha256;
  if (!key) throw notFound();
  const mime = thumb ? "image/webp" : row.mime;
  const inline = INLINE_TYPES.has(mime) && (thumb || row.kind === "image");
  const stat = await deps.blobs.stat(key);
  if (!stat) {
    deps.logger.error({ attachmentId: id, key }, "attachment blob is missing");
    throw notFound();
  }
  const headers: Record<string, string> = {
    "content-type": inline ? mime : mime === "text/html" || mime.includes("svg") ? "application/octet-stream" : mime,
    "content-disposition": contentDisposition(inline ? "inline" : "attachment", thumb ? `${row.name}.thumb.webp` : row.name),
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
    "cache-control": "private, max-age=31536000, immutable",
    "accept-ranges": "bytes",
    etag: `"${key}"`,
  };
  if (req.headers.get("if-none-match") === headers.etag) return new Response(null, { status: 304, headers });
  const range = parseRange(req.headers.get("range"), stat.size);
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${stat.size}` } });
  }
  const length = range ? range.end - range.start + 1 : stat.size;
  const status = range ? 206 : 200;
  const rangeHeaders: Record<string, string> = range ? { "content-range": `bytes ${range.start}-${range.end}/${stat.size}` } : {};
  const all: Record<string, string> = { ...headers, ...rangeHeaders, "content-length": String(length) };
  if (req.method === "HEAD") return new Response(null, { status, headers: all });
  const body = await deps.blobs.read(key, range ?? undefined);
  if (!body) throw notFound();
  return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, { status, headers: all });
}
