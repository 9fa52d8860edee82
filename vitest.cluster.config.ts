import { defineConfig } from "vitest/config";

// The cluster suite alone, against real Kafka, ZooKeeper, Redis and PostgreSQL started once per
// run by scripts/infra/vitest-cluster-setup.ts (or reused from `npm run infra:up`).
//   npx vitest run -c vitest.cluster.config.ts
export default defineConfig({
  test: {
    include: ["packages/infra/test/cluster/**/*.test.ts"],
    globalSetup: ["./scripts/infra/vitest-cluster-setup.ts"],
    env: { NODE_ENV: "test" },
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // one set of services, restarted by some tests: files run one after another
    fileParallelism: false,
    pool: "forks",
  },
});
