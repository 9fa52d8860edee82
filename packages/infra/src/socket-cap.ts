// The one check of a per-user socket cap (Presence.claimCapped): a positive integer.
import { AppError, ErrorCode } from "@dim/shared";

/** The largest cap a deployment may set: bounds one user's leases (one Redis hash, one lock's rows). */
export const MAX_SOCKETS_PER_USER_LIMIT = 1000;

export function assertSocketCap(maxPerUser: number): void {
  if (!Number.isInteger(maxPerUser) || maxPerUser < 1 || maxPerUser > MAX_SOCKETS_PER_USER_LIMIT) {
    throw new AppError(ErrorCode.BadRequest, `maxPerUser must be an integer in 1..${MAX_SOCKETS_PER_USER_LIMIT}, got ${maxPerUser}`);
  }
}
