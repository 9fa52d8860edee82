// The one check of a per-user socket cap (Presence.claimCapped): a positive integer.
import { AppError, ErrorCode } from "@dim/shared";
import { assertTtl } from "./lease-ttl";
import type { Route } from "./types";

/** The largest cap a deployment may set: bounds one user's leases (one Redis hash, one lock's rows). */
export const MAX_SOCKETS_PER_USER_LIMIT = 1000;

export function assertSocketCap(maxPerUser: number): void {
  if (!Number.isInteger(maxPerUser) || maxPerUser < 1 || maxPerUser > MAX_SOCKETS_PER_USER_LIMIT) {
    throw new AppError(ErrorCode.BadRequest, `maxPerUser must be an integer in 1..${MAX_SOCKETS_PER_USER_LIMIT}, got ${maxPerUser}`);
  }
}

/** Checks a claimCapped call's arguments (BAD_REQUEST before anything is claimed); false when there is nothing to claim. */
export function checkCappedClaim(routes: Route[], maxPerUser: number, ttlMs: number, assertRoute: (route: Route) => void = () => {}): boolean {
  assertTtl(ttlMs);
  assertSocketCap(maxPerUser);
  routes.forEach(assertRoute);
  return routes.length > 0;
}
