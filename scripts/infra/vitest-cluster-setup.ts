/**
 * Global setup of the cluster test project (the `cluster` project in
 * the root config): ONE set of real services for the whole run. Services already started by
 * `npm run infra:up` are reused (set DIM_INFRA_REUSE=0 to never reuse); otherwise Kafka,
 * ZooKeeper, Redis and PostgreSQL are started under .infra/test-run/ and stopped — and their data
 * deleted — when the run ends (also on Ctrl-C: children get SIGTERM when this process dies).
 *
 * Provides `dimCluster` (InfraState: addresses, pids, the control URL for restarts) and
 * `pgAdminUrl` (so `createTestDatabase()` from @dim/db/testing works in cluster tests).
 */
import { rmSync } from "node:fs";
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { startInfra, type RunningInfra } from "./infra";
import { DEFAULT_RUN_DIR, TEST_RUN_DIR } from "./paths";
import { liveState, type InfraState } from "./state";

declare module "vitest" {
  export interface ProvidedContext {
    dimCluster: InfraState;
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const reuse = process.env.DIM_INFRA_REUSE !== "0";
  let owned: RunningInfra | undefined;
  let state = reuse ? liveState(process.env.DIM_INFRA_RUN_DIR ?? DEFAULT_RUN_DIR) : undefined;
  if (state) {
    console.log(`[infra] cluster tests reuse the running services (supervisor pid ${state.ownerPid})`);
  } else {
    owned = await startInfra({ runDir: TEST_RUN_DIR, fresh: true, progress: (l) => console.log(`[infra] ${l}`) });
    state = owned.state();
  }
  project.provide("dimCluster", state);
  project.provide("pgAdminUrl", state.postgres.adminUrl);
  return async () => {
    if (!owned) return;
    await owned.shutdown();
    rmSync(TEST_RUN_DIR, { recursive: true, force: true });
  };
}
