import { AppError, ErrorCode, type UploadRejectReason } from "@dim/shared";

/** An upload refused for what it holds: INVALID_ATTACHMENT with `details.reason`. */
export function rejectUpload(reason: UploadRejectReason, message: string): AppError {
  return new AppError(ErrorCode.InvalidAttachment, message, { reason });
}
