import { z } from "zod";
import { AppError, ErrorCode } from "./errors";
import { Limits } from "./limits";
import { clientFrame, CLIENT_FRAME_TYPES, type ClientFrame, serverFrame, type ServerFrame } from "./protocol";

export type ParseResult<T> = { ok: true; frame: T } | { ok: false; error: AppError; ref?: string };

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}

/**
 * Parses one inbound text frame. Never throws: every failure is a typed AppError, with `ref`
 * set to the frame's clientMsgId or type when they can be read, so the client can match it.
 */
export function parseClientFrame(raw: string): ParseResult<ClientFrame> {
  if (raw.length > Limits.maxFrameBytes) {
    return { ok: false, error: new AppError(ErrorCode.PayloadTooLarge, `frame exceeds ${Limits.maxFrameBytes} bytes`) };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: new AppError(ErrorCode.BadRequest, "frame is not valid JSON") };
  }
  const result = clientFrame.safeParse(json);
  if (result.success) return { ok: true, frame: result.data };
  const obj = typeof json === "object" && json !== null ? (json as Record<string, unknown>) : {};
  const type = typeof obj.type === "string" ? obj.type : undefined;
  const ref =
    typeof obj.clientMsgId === "string" && obj.clientMsgId.length <= Limits.maxClientMsgIdChars
      ? obj.clientMsgId
      : type && (CLIENT_FRAME_TYPES as readonly string[]).includes(type)
        ? type
        : undefined;
  const message =
    type === undefined
      ? "frame has no string `type`"
      : !(CLIENT_FRAME_TYPES as readonly string[]).includes(type)
        ? `unknown frame type '${type.slice(0, 32)}'`
        : `invalid '${type}' frame: ${describe(result.error)}`;
  return { ok: false, error: new AppError(ErrorCode.BadRequest, message), ...(ref ? { ref } : {}) };
}

/** Client side: parses a server frame, so a client never acts on a malformed one. */
export function parseServerFrame(raw: string): ParseResult<ServerFrame> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: new AppError(ErrorCode.BadRequest, "server frame is not valid JSON") };
  }
  const result = serverFrame.safeParse(json);
  if (result.success) return { ok: true, frame: result.data };
  return { ok: false, error: new AppError(ErrorCode.BadRequest, `invalid server frame: ${describe(result.error)}`) };
}
