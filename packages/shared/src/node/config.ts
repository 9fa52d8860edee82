/**
 * Configuration loading for every DIM process, and the pieces their schemas share: the defaults of
 * the embedded setup (database URL, the PWA's origins), the variables both the gateway and core
 * nodes read (DATABASE_URL, DIM_MODE, DIM_TOKEN_SECRET), and builders for numbers, flags and lists.
 */
import { z } from "zod";
import { AppError, ErrorCode } from "../errors";
import { embeddedTokenSecret } from "./dev-secret";

/**
 * Validates configuration (normally process.env) at boot. On failure it throws one
 * AppError(INVALID_CONFIG) listing every bad variable, so a process never starts half-configured.
 */
export function loadConfig<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>, what: string): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
  throw new AppError(ErrorCode.InvalidConfig, `invalid ${what} configuration:\n${lines.join("\n")}`, {
    issues: result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
  });
}

/**
 * Several schemas over the same environment, validated together (`{ node: …, infra: … }`), so
 * that one error lists every bad variable of all of them.
 */
export function envSections<T extends Record<string, z.ZodType>>(sections: T) {
  const names = Object.keys(sections);
  return z.preprocess((env) => Object.fromEntries(names.map((name) => [name, env])), z.object(sections));
}

// ── the embedded setup's defaults (`npm run dev`) ──

/** The embedded dev PostgreSQL's port (`DIM_EMBEDDED_PG_PORT`), user, password and database. */
export const EMBEDDED_PG = { port: 54320, user: "postgres", password: "dim", database: "dim" } as const;
/** Port of the PWA and its gateway in `npm run dev` (`DIM_GATEWAY_PORT`). */
export const DEFAULT_WEB_PORT = 3000;

/** The URL of a database on the embedded dev PostgreSQL. */
export function embeddedDatabaseUrl(port: number = EMBEDDED_PG.port, database: string = EMBEDDED_PG.database): string {
  return `postgresql://${EMBEDDED_PG.user}:${EMBEDDED_PG.password}@127.0.0.1:${port}/${database}`;
}

/** The origins a browser sees the PWA at when it runs on this machine's `port`. */
export function localWebOrigins(port: number = DEFAULT_WEB_PORT): string[] {
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
}

export const DEFAULT_DATABASE_URL = embeddedDatabaseUrl();
/** The PWA in development. Production sets DIM_ALLOWED_ORIGINS. */
export const DEFAULT_ALLOWED_ORIGINS = localWebOrigins().join(",");

// ── variables of more than one process ──

export const DIM_MODES = ["embedded", "cluster"] as const;
export type DimMode = (typeof DIM_MODES)[number];

/** DATABASE_URL: PostgreSQL, the source of truth. */
export const databaseUrlVar = () => z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL").default(DEFAULT_DATABASE_URL);
/** DIM_MODE: which infrastructure (@dim/infra reads it too). */
export const modeVar = () => z.enum(DIM_MODES).default("embedded");
/** DIM_TOKEN_SECRET: HMAC secret of socket tokens, shared by the gateway and every node. */
export const tokenSecretVar = () => z.string().min(16).optional();
export const TOKEN_SECRET_REQUIRED = "DIM_TOKEN_SECRET is required in cluster mode (the same on the gateway and every core node)";

/** The token secret to use: the configured one, else (embedded mode only) the shared `.data/token-secret`. */
export function resolveTokenSecret(configured: string | undefined, mode: DimMode): string {
  if (configured !== undefined) return configured;
  if (mode === "embedded") return embeddedTokenSecret();
  throw new AppError(ErrorCode.InvalidConfig, TOKEN_SECRET_REQUIRED);
}

// ── builders ──

/** An integer variable between `min` and `max`; add `.default(…)`. */
export const intVar = (min: number, max: number = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
/** A duration in milliseconds, at least `min`, at most a day; add `.default(…)`. */
export const msVar = (min: number) => intVar(min, 24 * 60 * 60 * 1000);
/** `0` / `1` / `false` / `true`. */
export const flagVar = (fallback: boolean) =>
  z
    .enum(["0", "1", "true", "false"])
    .transform((v) => v === "1" || v === "true")
    .default(fallback);
/** A comma-separated list; blanks around entries and empty entries dropped. */
export const csvVar = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    );
