import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import type { ErrorCode } from "@dim/shared";
import type { AppErrorData } from "../trpc";

const HTTP_STATUS: Partial<Record<TRPC_ERROR_CODE_KEY, number>> = {
  BAD_REQUEST: 400,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL_SERVER_ERROR: 500,
};

/**
 * An error answered before tRPC runs (origin, body size), in tRPC's own error shape so clients
 * handle it like any other: one error per call of a batch (`?batch=1`, paths joined by ',').
 */
export function earlyErrorResponse(
  req: Request,
  endpoint: string,
  trpcCode: "BAD_REQUEST" | "FORBIDDEN" | "PAYLOAD_TOO_LARGE" | "INTERNAL_SERVER_ERROR",
  appCode: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const url = new URL(req.url);
  const httpStatus = HTTP_STATUS[trpcCode] ?? 400;
  const paths = url.pathname.startsWith(`${endpoint}/`) ? decodeURIComponent(url.pathname.slice(endpoint.length + 1)).split(",") : [];
  const one = (path: string | undefined) => {
    const data: AppErrorData = { code: trpcCode, httpStatus, appCode, ...(path ? { path } : {}) };
    return { error: { message, code: TRPC_ERROR_CODES_BY_KEY[trpcCode], data } };
  };
  const isBatch = url.searchParams.get("batch") === "1";
  const body = isBatch ? paths.map((p) => one(p)) : one(paths[0]);
  return new Response(JSON.stringify(body), {
    status: httpStatus,
    headers: { "content-type": "application/json", ...headers },
  });
}
