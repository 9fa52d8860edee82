/**
 * The gateway's file routes for the client: uploads (with progress and cancel) and downloads of
 * an attachment or its thumbnail, with the same session as the tRPC client (Bearer token, or in
 * a browser the httpOnly `dim_session` cookie). DimClient's outbox uploads through it.
 */
import { AppError, attachmentUrl, thumbnailUrl, type AttachmentRef } from "@dim/shared";
import { ClientErrorCode } from "./client-error-code";
import { fileRouteAppError, unreachable } from "./file-route-error";
import { sendUpload, type FetchLike, type UploadProgressEvent, type XhrConstructor } from "./upload-request";

export interface FileClientOptions {
  /** Origin of the gateway, as for createGatewayClient; "" = same origin. */
  baseUrl: string;
  sessionToken?: string | null | (() => string | null | undefined);
  fetch?: FetchLike;
  /**
   * The XMLHttpRequest constructor, for upload progress: the global one by default where there is
   * one (browsers, Electron); null forces fetch (what Node has).
   */
  XMLHttpRequest?: XhrConstructor | null;
}

export interface UploadOptions {
  /** The file's name as people see it (no path parts; the server refuses those). */
  name: string;
  onProgress?: (progress: UploadProgressEvent) => void;
  signal?: AbortSignal;
}

export interface FileClient {
  /** Uploads the bytes; resolves with the server's attachment (yours, unsent, until a send uses it). */
  upload(file: Blob, options: UploadOptions): Promise<AttachmentRef>;
  /** The WebP thumbnail of an image attachment (members of its conversation and its owner only). */
  thumbnail(attachmentId: string, signal?: AbortSignal): Promise<Blob>;
  /** The attachment's bytes (images: as re-encoded, metadata stripped). */
  download(attachmentId: string, signal?: AbortSignal): Promise<Blob>;
  /** Where the attachment and its thumbnail are served (relative to baseUrl; for links and <img>). */
  url(attachmentId: string, what?: "original" | "thumbnail"): string;
}

export function createFileClient(options: FileClientOptions): FileClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const Xhr = options.XMLHttpRequest === undefined ? (globalThis as { XMLHttpRequest?: XhrConstructor }).XMLHttpRequest : (options.XMLHttpRequest ?? undefined);
  const token = () => (typeof options.sessionToken === "function" ? options.sessionToken() : options.sessionToken) ?? undefined;
  const url = (id: string, what: "original" | "thumbnail" = "original") => `${baseUrl}${what === "thumbnail" ? thumbnailUrl(id) : attachmentUrl(id)}`;

  async function get(path: string, signal?: AbortSignal): Promise<Blob> {
    const t = token();
    let res: Response;
    try {
      res = await fetchFn(path, { headers: t ? { authorization: `Bearer ${t}` } : {}, credentials: "include", ...(signal ? { signal } : {}) });
    } catch (error) {
      if (signal?.aborted) throw new AppError<ClientErrorCode>(ClientErrorCode.UploadCancelled, "the download was cancelled");
      throw unreachable(error instanceof Error ? error.message : String(error));
    }
    if (!res.ok) throw fileRouteAppError(res.status, await res.text().catch(() => ""));
    return res.blob();
  }

  return {
    upload: (file, o) => sendUpload({ baseUrl, file, name: o.name, token: token(), fetch: fetchFn, ...(Xhr ? { XMLHttpRequest: Xhr } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.signal ? { signal: o.signal } : {}) }),
    thumbnail: (id, signal) => get(url(id, "thumbnail"), signal),
    download: (id, signal) => get(url(id), signal),
    url,
  };
}
