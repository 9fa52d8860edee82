/**
 * What every bus checks about a record before carrying it: a key (its ordering: same key, same
 * order) and a text payload. The buses never read the payload.
 */
import { AppError, ErrorCode } from "@dim/shared";

/** Longest record key: a conversation id, or `node:<node id>`, fit with room to spare. */
export const MAX_BUS_KEY_CHARS = 256;

/** Throws BAD_REQUEST unless `key` is 1..256 characters and `payload` is a string. */
export function assertBusRecord(key: unknown, payload: unknown): asserts key is string {
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_BUS_KEY_CHARS) {
    throw new AppError(ErrorCode.BadRequest, `bus record key must be 1..${MAX_BUS_KEY_CHARS} characters`);
  }
  if (typeof payload !== "string") throw new AppError(ErrorCode.BadRequest, "bus record payload must be a string");
}
