import { AppError, ErrorCode } from "@dim/shared";

/** Position after the last result of a page: results are ordered by (created_at, id) descending. */
export interface SearchCursor {
  createdAt: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeSearchCursor(c: SearchCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id]), "utf8").toString("base64url");
}

/** Opaque to clients; anything we did not make is BAD_REQUEST. */
export function decodeSearchCursor(s: string): SearchCursor {
  const bad = () => new AppError(ErrorCode.BadRequest, "bad search cursor");
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(s, "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  if (!Array.isArray(v) || v.length !== 2) throw bad();
  const [createdAt, id] = v as unknown[];
  if (typeof createdAt !== "string" || typeof id !== "string" || !UUID.test(id)) throw bad();
  if (Number.isNaN(Date.parse(createdAt)) || new Date(createdAt).toISOString() !== createdAt) throw bad();
  return { createdAt, id };
}
