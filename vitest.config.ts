import { defineConfig } from "vitest/config";

// One suite for the whole repository. Tests that need PostgreSQL get a fresh database each
// (see prisma/src/testing.ts) on one embedded server started by the global setup.
export default defineConfig({
  test: {
    include: [
      "packages/*/test/**/*.test.ts",
      "prisma/test/**/*.test.ts",
      "core-node/test/**/*.test.ts",
      "web/test/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    globalSetup: ["./scripts/vitest-global-setup.ts"],
    env: { NODE_ENV: "test" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: real servers per file; keep it to two workers.
    maxWorkers: 2,
    pool: "forks",
  },
});
