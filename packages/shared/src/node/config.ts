import type { z } from "zod";
import { AppError, ErrorCode } from "../errors";

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
