import { ClientErrorCode, toAppError } from "@dim/client";
import { ErrorCode } from "@dim/shared";
import type { Translator } from "@/i18n";

export interface ShownError {
  code: ErrorCode;
  /** The server's own (English) words: for the console and tests, never shown (codes are translated). */
  message: string;
  /** For RATE_LIMITED: when trying again makes sense (epoch ms). */
  retryAt?: number;
  /** For BAD_REQUEST: the server's words per input field ("username", "password", …). */
  fields?: Record<string, string>;
  /** For LIMIT_EXCEEDED: the limit that would be passed (details.limit). */
  limit?: number;
  /** For BAD_REQUEST: details.reason, when the server names one ("self": the call named yourself). */
  reason?: string;
  /** The transport never reached the gateway ("gateway unreachable: Failed to fetch"). */
  unreachable?: boolean;
}

/** Turns whatever a gateway call rejected with into something a form can show. */
export function shownError(error: unknown, now: number = Date.now()): ShownError {
  const app = toAppError(error);
  const shown: ShownError = { code: app.code, message: app.message };
  const retryAfterMs = app.details?.retryAfterMs;
  if (app.code === ErrorCode.RateLimited && typeof retryAfterMs === "number") shown.retryAt = now + retryAfterMs;
  const limit = app.details?.limit;
  if (app.code === ErrorCode.LimitExceeded && typeof limit === "number") shown.limit = limit;
  if (typeof app.details?.reason === "string") shown.reason = app.details.reason;
  if (app.code === ErrorCode.Internal && app.message.startsWith("gateway unreachable")) shown.unreachable = true;
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

const KNOWN = new Set<string>(Object.values(ClientErrorCode));

/**
 * The catalogue's words for a typed error code (server codes of packages/shared, the client's own
 * of @dim/client). Never the server's English message, never a transport's raw text: those are for
 * the console.
 */
export function friendlyMessage(error: ShownError, t: Translator<"errors">): string {
  if (error.unreachable) return t("unreachable");
  if (error.code === ErrorCode.LimitExceeded && error.limit !== undefined) return t("limit", { limit: error.limit });
  if (KNOWN.has(error.code)) return t(error.code as ClientErrorCode);
  return t("unknown");
}

/** The text for a field the server refused (BAD_REQUEST issues), or undefined. */
export function fieldError(error: ShownError | null | undefined, field: string, t: Translator<"errors">): string | undefined {
  return error?.fields?.[field] ? t("invalidField") : undefined;
}
