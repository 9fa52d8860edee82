/** The plain-JSON answers of the file routes (they are not tRPC): an AppError as `{ error }`. */
import { AppError, ErrorCode } from "@dim/shared";

const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  INVALID_ATTACHMENT: 422,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  CONFLICT: 409,
};

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", "x-content-type-options": "nosniff", ...headers },
  });
}

/** `status` overrides the code's own (503 for INTERNAL while the gateway cannot serve files). */
export function errorResponse(err: AppError, headers: Record<string, string> = {}, status = STATUS[err.code] ?? 500): Response {
  const retryAfterMs = err.details?.retryAfterMs;
  const extra: Record<string, string> = typeof retryAfterMs === "number" ? { "retry-after": String(Math.ceil(retryAfterMs / 1000)) } : {};
  const error = { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  // A refused upload may still be streaming in: ask the client to stop instead of reading on.
  if (status === 413 || status === 429) extra.connection = "close";
  return jsonResponse(status, { error }, { ...headers, ...extra });
}

export const internalError = () => errorResponse(new AppError(ErrorCode.Internal, "internal error"));
