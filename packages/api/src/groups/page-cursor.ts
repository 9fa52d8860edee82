/**
 * Opaque keyset cursors for the member lists (groups.members, conversations.readers): the last
 * row's sort key as base64url JSON. A cursor that does not decode to the expected key is
 * BAD_REQUEST, never a wrong page.
 */
import { z } from "zod";
import { AppError, ErrorCode } from "@dim/shared";

export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | null {
  if (cursor === undefined) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AppError(ErrorCode.BadRequest, "invalid cursor: give a nextCursor from a previous page");
  return parsed.data;
}
