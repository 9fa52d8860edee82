/**
 * The file routes answer errors as plain JSON (`{ error: { code, message, details } }`, not
 * tRPC): this turns such an answer, or a request that never got one, into the one AppError model.
 */
import { AppError, ERROR_CODES, ErrorCode, fileRouteError } from "@dim/shared";

/** An error answer of POST /api/files or GET /api/files/… (status and body text) as AppError. */
export function fileRouteAppError(status: number, bodyText: string): AppError {
  let parsed: ReturnType<typeof fileRouteError.safeParse> | null = null;
  try {
    parsed = fileRouteError.safeParse(JSON.parse(bodyText));
  } catch {
    parsed = null;
  }
  if (parsed?.success) {
    const { code, message, details } = parsed.data.error;
    const known = (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : ErrorCode.Internal;
    return new AppError(known, message, details);
  }
  // A proxy's page, or a gateway without file routes: the status is all there is.
  return new AppError(codeOfStatus(status), `the file route answered HTTP ${status}`, { status });
}

/** Nothing came back (offline, connection reset, DNS): worth trying again later. */
export function unreachable(why: string): AppError {
  return new AppError(ErrorCode.Internal, `gateway unreachable: ${why}`, { unreachable: true });
}

/** True for an error that no answer of the server caused (the upload is retried later). */
export function isUnreachable(error: AppError): boolean {
  return error.details?.unreachable === true;
}

/** What a bare HTTP status of the file routes means (their JSON answer, when there is one, says more). */
const CODE_OF_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: ErrorCode.BadRequest,
  401: ErrorCode.Unauthorized,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  413: ErrorCode.PayloadTooLarge,
  422: ErrorCode.InvalidAttachment,
  429: ErrorCode.RateLimited,
};

function codeOfStatus(status: number): ErrorCode {
  return CODE_OF_STATUS[status] ?? ErrorCode.Internal;
}
