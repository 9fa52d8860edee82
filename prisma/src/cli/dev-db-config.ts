/** The embedded dev database of `npm run dev`: .data/postgres, on DIM_EMBEDDED_PG_PORT (54320), database `dim`. */
import { join } from "node:path";
import { DATA_DIR, EMBEDDED_DEV, EMBEDDED_PG, embeddedDatabaseUrl, loadDevConfig } from "@dim/shared/node";

export function loadDevDbConfig(env: Record<string, string | undefined> = process.env) {
  // The whole dev layout is validated, so every `npm run dev` task reports the same bad ports.
  const { pgPort: port } = loadDevConfig(env, EMBEDDED_DEV);
  return {
    port,
    dataDir: join(DATA_DIR, "postgres"),
    password: EMBEDDED_PG.password,
    database: EMBEDDED_PG.database,
    urlFor: (database: string) => embeddedDatabaseUrl(port, database),
  };
}
