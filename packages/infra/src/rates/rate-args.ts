// What every RateStore accepts: a bucket name, a key (long keys hashed), a limit in bounds.
import { createHash } from "node:crypto";
import { AppError, ErrorCode } from "@dim/shared";
import type { RateLimit } from "../types";

const NAME_RE = /^[a-z][a-z0-9-]{0,31}$/;
/** Keys longer than this are stored as their sha256 (a forged X-Forwarded-For can be long). */
const MAX_PLAIN_KEY = 128;
const MAX_CAPACITY = 1_000_000;
const MAX_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export function assertRateName(name: string): void {
  if (!NAME_RE.test(name)) throw new AppError(ErrorCode.BadRequest, "rate bucket name must be 1..32 characters of a-z 0-9 - (starting with a letter)");
}

export function assertRateLimit(limit: RateLimit): void {
  const { capacity, windowMs } = limit;
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
    throw new AppError(ErrorCode.BadRequest, `rate capacity must be an integer in 1..${MAX_CAPACITY}`);
  }
  if (!Number.isInteger(windowMs) || windowMs < 1 || windowMs > MAX_WINDOW_MS) {
    throw new AppError(ErrorCode.BadRequest, `rate windowMs must be an integer in 1..${MAX_WINDOW_MS}`);
  }
}

/** The key as stored: itself when short, else `#` + its sha256 (bounded storage per bucket). */
export function storedRateKey(key: string): string {
  if (typeof key !== "string") throw new AppError(ErrorCode.BadRequest, "rate key must be a string");
  return key.length <= MAX_PLAIN_KEY ? key : `#${createHash("sha256").update(key).digest("hex")}`;
}

/** Validates a take/check's arguments; returns the stored key. */
export function rateArgs(name: string, key: string, limit: RateLimit): string {
  assertRateName(name);
  assertRateLimit(limit);
  return storedRateKey(key);
}
