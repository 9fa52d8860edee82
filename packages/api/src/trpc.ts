/**
 * tRPC setup: one error model (AppError codes in `error.data.appCode`), no transformer (plain
 * JSON, dates as ISO strings, so any HTTP client can follow docs/protocol.md), and the two
 * procedure builders: public and authed.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { AppError, ErrorCode, isAppError, TRPC_CODE_BY_ERROR } from "@dim/shared";
import type { z } from "zod";
import { secondsSince } from "@dim/shared/metrics";
import { resolveSession, type ResolvedSession } from "./auth/session";
import type { Context } from "./context";
import { resolveMember } from "./conversations/resolve-member";

/** tRPC codes that happen outside our procedures (parse errors, unknown paths, …) → our codes. */
const ERROR_BY_TRPC_CODE: Partial<Record<TRPC_ERROR_CODE_KEY, ErrorCode>> = {
  PARSE_ERROR: ErrorCode.BadRequest,
  BAD_REQUEST: ErrorCode.BadRequest,
  METHOD_NOT_SUPPORTED: ErrorCode.BadRequest,
  UNSUPPORTED_MEDIA_TYPE: ErrorCode.BadRequest,
  UNAUTHORIZED: ErrorCode.Unauthorized,
  FORBIDDEN: ErrorCode.Forbidden,
  NOT_FOUND: ErrorCode.NotFound,
  CONFLICT: ErrorCode.Conflict,
  PAYLOAD_TOO_LARGE: ErrorCode.PayloadTooLarge,
  TOO_MANY_REQUESTS: ErrorCode.RateLimited,
};

export interface AppErrorData {
  /** tRPC's code (also gives the HTTP status). */
  code: TRPC_ERROR_CODE_KEY;
  httpStatus: number;
  path?: string;
  /** Our stable code: switch on this. */
  appCode: ErrorCode;
  /** Machine-readable detail: `retryAfterMs` for RATE_LIMITED, `issues` for BAD_REQUEST. */
  details?: Record<string, unknown>;
}

interface SchemaIssue {
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
  message: string;
}

function schemaIssues(cause: unknown): SchemaIssue[] | null {
  if (cause && typeof cause === "object" && "issues" in cause && Array.isArray(cause.issues)) {
    return cause.issues as SchemaIssue[];
  }
  return null;
}

function issuePath(issue: SchemaIssue): string {
  return (issue.path ?? []).map((p) => String(typeof p === "object" ? p.key : p)).join(".");
}

/** The AppError a tRPC error stands for. */
export function appErrorOf(error: TRPCError): AppError {
  if (isAppError(error.cause)) return error.cause;
  const code = ERROR_BY_TRPC_CODE[error.code] ?? ErrorCode.Internal;
  if (code === ErrorCode.Internal) return new AppError(code, "internal error");
  const issues = schemaIssues(error.cause);
  if (issues) {
    const list = issues.map((i) => ({ path: issuePath(i), message: i.message }));
    const text = list.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
    return new AppError(code, `invalid input: ${text}`, { issues: list });
  }
  return new AppError(code, error.message);
}

const t = initTRPC.context<Context>().create({
  // Never put stack traces in responses.
  isDev: false,
  errorFormatter({ shape, error }) {
    const app = appErrorOf(error);
    const data: AppErrorData = {
      code: shape.data.code,
      httpStatus: shape.data.httpStatus,
      appCode: app.code,
      ...(shape.data.path !== undefined ? { path: shape.data.path } : {}),
      ...(app.details ? { details: app.details } : {}),
    };
    return { code: shape.code, message: app.message, data };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Turns AppErrors thrown by procedures into TRPCErrors with the matching tRPC code (so the
 * HTTP status means something) and logs what went wrong on our side.
 */
const appErrors = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (isAppError(cause)) {
    if (cause.code === ErrorCode.RateLimited && typeof cause.details?.retryAfterMs === "number") {
      ctx.resHeaders.set("Retry-After", String(Math.ceil(cause.details.retryAfterMs / 1000)));
    }
    if (cause.code === ErrorCode.Internal) ctx.log.error({ err: cause, path }, "procedure failed");
    const code = TRPC_CODE_BY_ERROR[cause.code] as TRPC_ERROR_CODE_KEY;
    return { ...result, error: new TRPCError({ code, message: cause.message, cause }) };
  }
  if (result.error.code === "INTERNAL_SERVER_ERROR") {
    ctx.log.error({ err: result.error.cause ?? result.error, path }, "procedure failed");
  }
  return result;
});

/** Counts every call by procedure and result, and times it (outermost: sees the final outcome). */
const measured = t.middleware(async ({ ctx, next, path }) => {
  const start = performance.now();
  const result = await next();
  ctx.metrics.called(path, result.ok ? "ok" : appErrorOf(result.error).code, secondsSince(start));
  return result;
});

export const publicProcedure = t.procedure.use(measured).use(appErrors);

const notSignedIn = () => new AppError(ErrorCode.Unauthorized, "not signed in, or the session expired");

/** What authed procedures add to the context. */
function sessionContext(ctx: Context, session: ResolvedSession) {
  return { session, user: session.user, log: ctx.log.child({ userId: session.user.id }) };
}

/** Requires a live session (Bearer token or `dim_session` cookie): UNAUTHORIZED otherwise. */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const session = await resolveSession(ctx.sql, ctx.sessionToken);
  if (!session) throw notSignedIn();
  return next({ ctx: sessionContext(ctx, session) });
});

/**
 * Requires a live session of an admin: UNAUTHORIZED without a session, FORBIDDEN for everyone
 * else. The flag is read with the session at every call, so a revoke takes effect at once.
 */
export const adminProcedure = authedProcedure.use(async ({ ctx, next }) => {
  if (!ctx.session.isAdmin) throw new AppError(ErrorCode.Forbidden, "only an administrator may do this");
  return next();
});

/**
 * A procedure about one conversation (`input.conversationId`) that the caller must be a member
 * of. The input is validated first (BAD_REQUEST), then the session and the membership are read in
 * one statement: UNAUTHORIZED without a live session, FORBIDDEN when not a member (also for a
 * conversation that does not exist). A former member (left or removed) passes unless `active`
 * is required: it keeps its history up to its leaving. The procedure gets `ctx.member`.
 */
export function memberProcedure<TSchema extends z.ZodType<{ conversationId: string }, unknown>>(
  schema: TSchema,
  opts: { active?: boolean } = {},
) {
  return publicProcedure.input(schema).use(async ({ ctx, input, next }) => {
    const resolved = await resolveMember(ctx.sql, ctx.sessionToken, input.conversationId);
    if (!resolved) throw notSignedIn();
    if (!resolved.member || (opts.active && resolved.member.leftSeq !== null)) {
      throw new AppError(ErrorCode.Forbidden, "you are not a member of this conversation");
    }
    return next({ ctx: { ...sessionContext(ctx, resolved.session), member: resolved.member } });
  });
}
