/**
 * The codes a DimClient reports: every server `ErrorCode`, plus the client's own, which no server
 * ever sends (they are not on the wire, so they live here and not in @dim/shared).
 */
import { ErrorCode, type AppError } from "@dim/shared";

export const ClientErrorCode = {
  ...ErrorCode,
  /** A `send` got no `sent` in time, twice (the ACK clock ran out after its one re-send). */
  AckTimeout: "ACK_TIMEOUT",
  /** `stop()` (or `logout()`) was called before the pending `connect()` reached a welcome. */
  ClientStopped: "CLIENT_STOPPED",
  /** An upload (or its queued message) was cancelled on this device before it was sent. */
  UploadCancelled: "UPLOAD_CANCELLED",
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** An AppError whose code may also be one of the client's own. */
export type ClientAppError = AppError<ClientErrorCode>;
