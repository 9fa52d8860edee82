import { toAppError } from "@dim/client";
import { ErrorCode } from "@dim/shared";

export interface ShownError {
  code: ErrorCode;
  message: string;
  /** For RATE_LIMITED: when trying again makes sense (epoch ms). */
  retryAt?: number;
  /** For BAD_REQUEST: messages per input field ("username", "password", …). */
  fields?: Record<string, string>;
}

/** Turns whatever a gateway call rejected with into something a form can show. */
export function shownError(error: unknown, now: number = Date.now()): ShownError {
  const app = toAppError(error);
  const shown: ShownError = { code: app.code, message: app.message };
  const retryAfterMs = app.details?.retryAfterMs;
  if (app.code === ErrorCode.RateLimited && typeof retryAfterMs === "number") shown.retryAt = now + retryAfterMs;
  const issues = app.details?.issues;
  if (Array.isArray(issues)) {
    const fields: Record<string, string> = {};
    for (const issue of issues as Array<{ path?: unknown; message?: unknown }>) {
      if (typeof issue.path === "string" && issue.path && typeof issue.message === "string") fields[issue.path] ??= issue.message;
    }
    if (Object.keys(fields).length > 0) shown.fields = fields;
  }
  return shown;
}

/** "the group already has this title" → "The group already has this title." */
export function sentence(message: string): string {
  const s = message.trim();
  if (!s) return "That did not work.";
  return `${s[0]!.toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? "" : "."}`;
}

/**
 * Human wording for the codes people meet; the server's message, as a sentence, otherwise. Never
 * a transport's raw text ("gateway unreachable: Failed to fetch"): that is for the console.
 */
export function friendlyMessage(error: ShownError): string {
  switch (error.code) {
    case ErrorCode.InvalidCredentials:
      return "Wrong username or password.";
    case ErrorCode.UsernameTaken:
      return "This username is taken. Try another one.";
    case ErrorCode.RateLimited:
      return "Too many attempts.";
    case ErrorCode.Unauthorized:
      return "Your session has ended. Please sign in again.";
    case ErrorCode.Internal:
      return error.message.startsWith("gateway unreachable") ? "Cannot reach the server. Check your connection and try again." : "Something went wrong on our side. Please try again.";
    default:
      return sentence(error.message);
  }
}
