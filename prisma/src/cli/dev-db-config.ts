import { join } from "node:path";
import { z } from "zod";
import { DATA_DIR, loadConfig } from "@dim/shared/node";

const devDbSchema = z.object({
  DIM_EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54320),
});

/** The embedded dev database: .data/postgres, port 54320, database `dim`. */
export function loadDevDbConfig(env: Record<string, string | undefined> = process.env) {
  const cfg = loadConfig(devDbSchema, env, "embedded PostgreSQL");
  return {
    port: cfg.DIM_EMBEDDED_PG_PORT,
    dataDir: join(DATA_DIR, "postgres"),
    password: "dim",
    database: "dim",
  };
}
