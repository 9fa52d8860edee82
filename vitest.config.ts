import { defineConfig } from "vitest/config";

// The whole suite (`npm test` runs it after the typecheck), as two projects:
// - embedded: unit and integration tests on ONE embedded PostgreSQL (scripts/vitest-global-setup.ts);
//   each file gets a fresh database from createTestDatabase() (prisma/src/testing.ts).
// - cluster: tests under any test/cluster/ folder, against real Kafka, ZooKeeper, Redis and
//   PostgreSQL started once by scripts/infra/vitest-cluster-setup.ts (files run one at a time:
//   some restart the services).
// Run one: npx vitest run --project embedded   |   npx vitest run --project cluster
const shared = {
  env: { NODE_ENV: "test" },
  pool: "forks" as const,
};

export default defineConfig({
  test: {
    // Two cores: at most two test files at once.
    maxWorkers: 2,
    projects: [
      {
        test: {
          ...shared,
          name: "embedded",
          include: [
            "packages/*/test/**/*.test.ts",
            "prisma/test/**/*.test.ts",
            "core-node/test/**/*.test.ts",
            "web/test/**/*.test.ts",
            "test/**/*.test.ts",
            "desktop/test/**/*.test.ts",
            "bench/test/**/*.test.ts",
          ],
          exclude: ["**/node_modules/**", "**/test/cluster/**"],
          globalSetup: ["./scripts/vitest-global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          ...shared,
          name: "cluster",
          include: ["**/test/cluster/**/*.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: ["./scripts/infra/vitest-cluster-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
