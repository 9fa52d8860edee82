// The one check of a lease TTL (presence and registry leases): a positive integer of milliseconds.
import { AppError, ErrorCode } from "@dim/shared";

export function assertTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
    throw new AppError(ErrorCode.BadRequest, `lease ttlMs must be a positive integer, got ${ttlMs}`);
  }
}
