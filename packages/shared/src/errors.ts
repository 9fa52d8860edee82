/**
 * One error model for every edge (tRPC gateway, WebSocket, CLI, config): an AppError carries a
 * stable string code that clients switch on, and a human message that they may show.
 */
export const ErrorCode = {
  /** A frame or request that does not match its schema (not JSON, unknown type, extra keys, bounds). */
  BadRequest: "BAD_REQUEST",
  /** The frame is larger than the negotiated maximum. */
  PayloadTooLarge: "PAYLOAD_TOO_LARGE",
  /** The client speaks a protocol version this server does not. */
  UnsupportedVersion: "UNSUPPORTED_VERSION",
  /** No valid session or socket token. */
  Unauthorized: "UNAUTHORIZED",
  /** A frame other than `auth` was sent before authentication completed. */
  AuthRequired: "AUTH_REQUIRED",
  /** A second `auth` frame on an authenticated socket. */
  AlreadyAuthenticated: "ALREADY_AUTHENTICATED",
  /** Authenticated, but not allowed to do this (for example, not a member of the conversation). */
  Forbidden: "FORBIDDEN",
  NotFound: "NOT_FOUND",
  /** The same clientMsgId was sent again with different content. */
  IdempotencyConflict: "IDEMPOTENCY_CONFLICT",
  /** Wrong username or password (deliberately the same answer for both). */
  InvalidCredentials: "INVALID_CREDENTIALS",
  UsernameTaken: "USERNAME_TAKEN",
  /** The right password for an account an admin disabled (only after the password was checked). */
  AccountDisabled: "ACCOUNT_DISABLED",
  /** A state conflict: a contact request that already exists, a request already decided, … */
  Conflict: "CONFLICT",
  RateLimited: "RATE_LIMITED",
  /**
   * An upload that is refused for what it holds (details.reason: an UploadRejectReason of
   * attachments.ts): empty, truncated, a type that lies, too many pixels, a corrupt image, a bad name.
   */
  InvalidAttachment: "INVALID_ATTACHMENT",
  /**
   * A direct conversation you may read but not write: you and the peer are no longer contacts
   * (either removed the other: add them again), you blocked the peer (unblock first), or the peer
   * deleted their account. Never the answer to a user the peer blocked: that one is FORBIDDEN,
   * exactly as for a stranger.
   */
  ReadOnly: "READ_ONLY",
  /** An edit or delete for everyone after its window (DIM_EDIT_WINDOW_MS / DIM_DELETE_WINDOW_MS). */
  WindowClosed: "WINDOW_CLOSED",
  /** A configured size limit would be passed: members per group, groups per user, sockets per user. */
  LimitExceeded: "LIMIT_EXCEEDED",
  /** No live core node can take the client. */
  NoNodeAvailable: "NO_NODE_AVAILABLE",
  /** Invalid configuration at boot. */
  InvalidConfig: "INVALID_CONFIG",
  /** The server failed; the request may be retried. */
  Internal: "INTERNAL",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ERROR_CODES = Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]];

/**
 * `C` widens the code set for an edge that has codes of its own (the client's, which never travel
 * on the wire: `ClientErrorCode` in @dim/client). It is never inferred: `new AppError(code, …)`
 * is always an AppError with a server ErrorCode.
 */
export class AppError<C extends string = ErrorCode> extends Error {
  override readonly name = "AppError";
  constructor(
    readonly code: NoInfer<C>,
    message: string,
    /** Extra machine-readable detail (field paths, retry-after, …). Never secrets. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Maps our codes onto tRPC's so HTTP status codes are meaningful too. */
export const TRPC_CODE_BY_ERROR: Record<ErrorCode, string> = {
  BAD_REQUEST: "BAD_REQUEST",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_VERSION: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  AUTH_REQUIRED: "UNAUTHORIZED",
  ALREADY_AUTHENTICATED: "BAD_REQUEST",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  IDEMPOTENCY_CONFLICT: "CONFLICT",
  INVALID_CREDENTIALS: "UNAUTHORIZED",
  USERNAME_TAKEN: "CONFLICT",
  ACCOUNT_DISABLED: "FORBIDDEN",
  CONFLICT: "CONFLICT",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  INVALID_ATTACHMENT: "BAD_REQUEST",
  READ_ONLY: "FORBIDDEN",
  WINDOW_CLOSED: "FORBIDDEN",
  LIMIT_EXCEEDED: "CONFLICT",
  NO_NODE_AVAILABLE: "SERVICE_UNAVAILABLE",
  INVALID_CONFIG: "INTERNAL_SERVER_ERROR",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};
