/**
 * One upload over HTTP (POST /api/files?name=…, the raw bytes as body) with progress and cancel.
 * Browsers and Electron's renderer use XMLHttpRequest: the one browser API that reports upload
 * progress (fetch can stream a request body only over HTTP/2 in Chromium). Where there is no XHR
 * (Node: tests, the benchmark, scripts) fetch streams the body and counts what it hands over.
 */
import { AppError, UPLOAD_ENDPOINT, uploadResponse, type AttachmentRef } from "@dim/shared";
import { ClientErrorCode } from "./client-error-code";
import { fileRouteAppError, unreachable } from "./file-route-error";

/** What this file needs of XMLHttpRequest (the DOM's satisfies it; the library never imports it). */
export interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  withCredentials: boolean;
  readonly status: number;
  readonly responseText: string;
  readonly upload: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onabort: ((event: unknown) => void) | null;
  send(body: Blob): void;
  abort(): void;
}
export type XhrConstructor = new () => XhrLike;
export type FetchLike = (input: string, init?: RequestInit & { duplex?: "half" }) => Promise<Response>;

export interface UploadProgressEvent {
  loaded: number;
  total: number;
}

export interface UploadRequest {
  /** e.g. http://127.0.0.1:3000; "" = same origin (the browser sends the session cookie). */
  baseUrl: string;
  file: Blob;
  name: string;
  token: string | undefined;
  onProgress?: (progress: UploadProgressEvent) => void;
  signal?: AbortSignal;
  XMLHttpRequest?: XhrConstructor;
  fetch: FetchLike;
}

/** The slice fetch uploads are read in (and progress moves by). */
const FETCH_SLICE_BYTES = 64 * 1024;

const cancelled = () => new AppError<ClientErrorCode>(ClientErrorCode.UploadCancelled, "the upload was cancelled");

function uploadUrl(baseUrl: string, name: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${UPLOAD_ENDPOINT}?name=${encodeURIComponent(name)}`;
}

function headersOf(req: UploadRequest): Record<string, string> {
  return {
    ...(req.token ? { authorization: `Bearer ${req.token}` } : {}),
    // Only checked against the bytes (a lie is refused); the server never believes it otherwise.
    ...(req.file.type ? { "content-type": req.file.type } : { "content-type": "application/octet-stream" }),
  };
}

function answer(status: number, text: string): AttachmentRef {
  if (status !== 201) throw fileRouteAppError(status, text);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw fileRouteAppError(status, text);
  }
  const parsed = uploadResponse.safeParse(body);
  if (!parsed.success) throw fileRouteAppError(500, text);
  return parsed.data.attachment;
}

/** Resolves with the server's attachment, or rejects with AppError (UPLOAD_CANCELLED when aborted). */
export function sendUpload(req: UploadRequest): Promise<AttachmentRef> {
  if (req.signal?.aborted) return Promise.reject(cancelled());
  return req.XMLHttpRequest ? viaXhr(req, req.XMLHttpRequest) : viaFetch(req);
}

function viaXhr(req: UploadRequest, Xhr: XhrConstructor): Promise<AttachmentRef> {
  return new Promise((resolve, reject) => {
    const xhr = new Xhr();
    const onAbort = () => xhr.abort();
    const settle = (fn: () => void) => {
      req.signal?.removeEventListener("abort", onAbort);
      fn();
    };
    xhr.open("POST", uploadUrl(req.baseUrl, req.name));
    xhr.withCredentials = true;
    for (const [k, v] of Object.entries(headersOf(req))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => req.onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : req.file.size });
    xhr.onload = () =>
      settle(() => {
        try {
          resolve(answer(xhr.status, xhr.responseText));
        } catch (error) {
          reject(error);
        }
      });
    xhr.onerror = () => settle(() => reject(unreachable("the upload request failed")));
    xhr.onabort = () => settle(() => reject(cancelled()));
    req.signal?.addEventListener("abort", onAbort, { once: true });
    xhr.send(req.file);
  });
}

async function viaFetch(req: UploadRequest): Promise<AttachmentRef> {
  const total = req.file.size;
  let loaded = 0;
  // Pulled slice by slice as fetch writes: the progress is what went to the socket (plus one slice).
  const counted = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (loaded >= total) return controller.close();
        const slice = new Uint8Array(await req.file.slice(loaded, loaded + FETCH_SLICE_BYTES).arrayBuffer());
        loaded += slice.byteLength;
        controller.enqueue(slice);
        req.onProgress?.({ loaded, total });
      },
    },
    { highWaterMark: 0 },
  );
  req.onProgress?.({ loaded: 0, total });
  let res: Response;
  try {
    res = await req.fetch(uploadUrl(req.baseUrl, req.name), {
      method: "POST",
      headers: { ...headersOf(req), "content-length": String(total) },
      body: counted as unknown as RequestInit["body"],
      duplex: "half",
      credentials: "include",
      ...(req.signal ? { signal: req.signal } : {}),
    });
  } catch (error) {
    if (req.signal?.aborted) throw cancelled();
    throw unreachable(error instanceof Error ? error.message : String(error));
  }
  let text: string;
  try {
    text = await res.text();
  } catch (error) {
    if (req.signal?.aborted) throw cancelled();
    throw unreachable(error instanceof Error ? error.message : String(error));
  }
  return answer(res.status, text);
}
