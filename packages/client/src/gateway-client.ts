// The typed tRPC client of the gateway (HTTP): Bearer session, typed AppErrors, never a token in a URL.
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import type { AppRouter } from "@dim/api";
import { AppError, ERROR_CODES, ErrorCode } from "@dim/shared";
import type { DimGateway } from "./types";

type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface GatewayClientOptions {
  /** Origin of the gateway, e.g. "http://127.0.0.1:3000" (the client adds /api/trpc). "" = same origin. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`. A function is read at every call (login changes it). */
  sessionToken?: string | null | (() => string | null | undefined);
  /** Injected fetch (tests, Electron); the global one by default. */
  fetch?: FetchLike;
}

export const TRPC_PATH = "/api/trpc";

/**
 * Typed tRPC client of the gateway. Every rejected call rejects with an AppError (code from the
 * gateway's `error.data.appCode`), so callers handle one error model across HTTP and socket.
 */
export function createGatewayClient(options: GatewayClientOptions) {
  const baseFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const token = () => (typeof options.sessionToken === "function" ? options.sessionToken() : options.sessionToken) ?? undefined;
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${options.baseUrl.replace(/\/+$/, "")}${TRPC_PATH}`,
        // Browsers then send (and accept) the httpOnly `dim_session` cookie, even cross-origin.
        fetch: (input, init) => baseFetch(input as string, { ...(init as RequestInit), credentials: "include" }),
        headers: () => {
          const t = token();
          return t ? { authorization: `Bearer ${t}` } : {};
        },
      }),
    ],
  });
  return withAppErrors(client);
}

export type GatewayClient = ReturnType<typeof createGatewayClient>;

/** The part of the gateway DimClient uses, over a typed gateway client. */
export function gatewayPort(client: GatewayClient): DimGateway {
  return {
    assignNode: (input) => client.nodes.assign.mutate(input),
    listConversations: () => client.conversations.list.query(),
    history: (input) => client.conversations.history.query(input),
    groupMembers: (input) => client.groups.members.query(input),
  };
}

/** Maps anything a gateway call rejected with onto AppError. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? {}) as { appCode?: unknown; details?: unknown; code?: unknown; httpStatus?: unknown };
    const code = (ERROR_CODES as readonly unknown[]).includes(data.appCode) ? (data.appCode as ErrorCode) : fromTrpcCode(data.code);
    const details = typeof data.details === "object" && data.details !== null ? (data.details as Record<string, unknown>) : undefined;
    // No `data` at all means no tRPC answer came back: the gateway was not reached.
    if (error.data === undefined || error.data === null) {
      return new AppError(ErrorCode.Internal, `gateway unreachable: ${error.message}`, details);
    }
    return new AppError(code, error.message, details);
  }
  return new AppError(ErrorCode.Internal, error instanceof Error ? error.message : String(error));
}

function fromTrpcCode(code: unknown): ErrorCode {
  switch (code) {
    case "BAD_REQUEST":
    case "PARSE_ERROR":
      return ErrorCode.BadRequest;
    case "UNAUTHORIZED":
      return ErrorCode.Unauthorized;
    case "FORBIDDEN":
      return ErrorCode.Forbidden;
    case "NOT_FOUND":
      return ErrorCode.NotFound;
    case "CONFLICT":
      return ErrorCode.Conflict;
    case "PAYLOAD_TOO_LARGE":
      return ErrorCode.PayloadTooLarge;
    case "TOO_MANY_REQUESTS":
      return ErrorCode.RateLimited;
    case "SERVICE_UNAVAILABLE":
      return ErrorCode.NoNodeAvailable;
    default:
      return ErrorCode.Internal;
  }
}

/**
 * Wraps tRPC's proxy so `.query()` / `.mutate()` reject with AppError. The type is unchanged:
 * rejections are not typed in TypeScript.
 */
function withAppErrors<T extends object>(target: T): T {
  return new Proxy(target, {
    get(obj, prop) {
      // Never look like a thenable (`await client` must not call into tRPC).
      if (typeof prop !== "string" || prop === "then") return undefined;
      const value = Reflect.get(obj, prop) as unknown;
      if (prop === "query" || prop === "mutate") {
        const call = value as (...args: unknown[]) => Promise<unknown>;
        return (...args: unknown[]) =>
          call(...args).catch((error: unknown) => {
            throw toAppError(error);
          });
      }
      return typeof value === "function" || (typeof value === "object" && value !== null) ? withAppErrors(value as object) : value;
    },
  });
}
