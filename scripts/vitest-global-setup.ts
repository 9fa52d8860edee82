import { mkdtempSync, chmodSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../prisma/src/embedded/embedded-postgres";
import { freePort } from "../packages/shared/src/node/free-port";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/** One real PostgreSQL for the whole run, on a free loopback port, thrown away at the end. */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "dim-test-pg-"));
  chmodSync(dir, 0o755); // the server runs as `postgres` and must traverse it
  const port = await freePort();
  const pg = await startEmbeddedPostgres({ dataDir: join(dir, "data"), port, persistent: false });
  project.provide("pgAdminUrl", pg.adminUrl);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
