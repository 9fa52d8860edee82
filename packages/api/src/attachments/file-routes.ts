/**
 * The file routes beside tRPC (uploads are bytes, not JSON): POST /api/files uploads, GET/HEAD
 * /api/files/<id>[/thumb] downloads. Both need a live session (Bearer token or `dim_session`
 * cookie), like authed procedures. One implementation for the Next.js app and the standalone
 * gateway: both reach it through Gateway.fetchHandler.
 */
import { AppError, ErrorCode, UPLOAD_ENDPOINT, UUID_RE, isAppError } from "@dim/shared";
import type { BlobStore } from "@dim/infra";
import type { Logger } from "@dim/shared/node";
import { resolveSession } from "../auth/session";
import type { RateLimiter } from "../auth/rate-limiter";
import type { GatewayConfig } from "../config";
import type { Db } from "../db";
import type { SqlRows } from "../sql";
import { handleDownload } from "./download-route";
import { errorResponse, internalError } from "./file-response";
import { handleUpload } from "./upload-route";

export interface FileRouteDeps {
  prisma: Db;
  sql: SqlRows;
  blobs: BlobStore;
  config: GatewayConfig;
  logger: Logger;
  uploadsByUser: RateLimiter;
}

export function isFileRoute(pathname: string): boolean {
  return pathname === UPLOAD_ENDPOINT || pathname.startsWith(`${UPLOAD_ENDPOINT}/`);
}

export async function handleFileRoute(deps: FileRouteDeps, req: Request, sessionToken: string | null, cors: Record<string, string>): Promise<Response> {
  try {
    const response = await route(deps, req, sessionToken);
    for (const [k, v] of Object.entries(cors)) response.headers.set(k, v);
    return response;
  } catch (err) {
    if (isAppError(err)) return errorResponse(err, cors);
    deps.logger.error({ err }, "file route failed");
    return internalError();
  }
}

async function route(deps: FileRouteDeps, req: Request, sessionToken: string | null): Promise<Response> {
  const parts = new URL(req.url).pathname.slice(UPLOAD_ENDPOINT.length).split("/").filter(Boolean);
  const upload = parts.length === 0;
  const download = (parts.length === 1 || (parts.length === 2 && parts[1] === "thumb")) && UUID_RE.test(parts[0] ?? "");
  if (!upload && !download) throw new AppError(ErrorCode.NotFound, "no such route");
  const allowed = upload ? ["POST"] : ["GET", "HEAD"];
  if (!allowed.includes(req.method)) {
    const res = errorResponse(new AppError(ErrorCode.BadRequest, `use ${allowed.join(" or ")}`));
    return new Response(res.body, { status: 405, headers: { ...Object.fromEntries(res.headers), allow: allowed.join(", ") } });
  }
  const session = await resolveSession(deps.sql, sessionToken);
  if (!session) throw new AppError(ErrorCode.Unauthorized, "not signed in, or the session expired");
  if (upload) return handleUpload(deps, req, session.user.id);
  return handleDownload(deps, req, session.user.id, parts[0]!.toLowerCase(), parts.length === 2);
}
