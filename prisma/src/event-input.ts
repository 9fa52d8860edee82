/**
 * The store's own checks of an event or reply append (the socket validated the frame already;
 * the store is also called by tests and scripts): bad input is BAD_REQUEST before any SQL.
 */
import { AppError, ErrorCode, isEventKind, isSingleEmoji, Limits, UUID_RE } from "@dim/shared";
import type { AppendInput } from "./message-store.types";

const isSeq = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 1;

/** Mentions need a group and the members' names: their checks in the transaction are mentions-check.ts. */
function validateMentionsInput(input: AppendInput): void {
  if (input.mentions === undefined && !input.mentionsAll) return;
  if (input.kind !== "text" && input.kind !== "edit") throw new AppError(ErrorCode.BadRequest, `a ${input.kind} carries no mentions`);
  if (input.mentionsAll !== undefined && typeof input.mentionsAll !== "boolean") throw new AppError(ErrorCode.BadRequest, "mentionsAll must be a boolean");
  if (input.mentions === undefined) return;
  const ids = input.mentions;
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > Limits.maxMentions || ids.some((id) => typeof id !== "string" || !UUID_RE.test(id))) {
    throw new AppError(ErrorCode.BadRequest, `mentions must be 1 to ${Limits.maxMentions} user ids`);
  }
  if (new Set(ids.map((id) => id.toLowerCase())).size !== ids.length) throw new AppError(ErrorCode.BadRequest, "mentions must not name a user twice");
}

export function validateEventInput(input: AppendInput): void {
  validateMentionsInput(input);
  if (input.attachmentId !== undefined) throw new AppError(ErrorCode.BadRequest, "events and replies carry no attachment");
  if (!isEventKind(input.kind)) {
    if (input.kind !== "text") throw new AppError(ErrorCode.BadRequest, "only text messages can be replies or mention");
    if (input.replyTo !== undefined && !isSeq(input.replyTo)) throw new AppError(ErrorCode.BadRequest, "replyTo must be a positive integer");
    if (input.targetSeq !== undefined) throw new AppError(ErrorCode.BadRequest, "a text message has no targetSeq");
    if (input.body.trim().length === 0 || input.body.length > Limits.maxBodyChars) throw new AppError(ErrorCode.BadRequest, "body must be 1 to 4000 characters, not blank");
    return;
  }
  if (input.replyTo !== undefined) throw new AppError(ErrorCode.BadRequest, `a ${input.kind} event is no reply`);
  if (!isSeq(input.targetSeq)) throw new AppError(ErrorCode.BadRequest, "targetSeq must be a positive integer");
  switch (input.kind) {
    case "edit":
      if (input.body.trim().length === 0 || input.body.length > Limits.maxBodyChars) {
        throw new AppError(ErrorCode.BadRequest, `an edit's text must be 1 to ${Limits.maxBodyChars} characters, not blank`);
      }
      return;
    case "delete":
      if (input.body !== "") throw new AppError(ErrorCode.BadRequest, "a delete has no body");
      return;
    case "reaction":
      if (input.body !== "" && !isSingleEmoji(input.body)) throw new AppError(ErrorCode.BadRequest, "a reaction is exactly one emoji");
      return;
  }
}
