import { defineConfig } from "vitest/config";

// Desktop tests alone, without the embedded PostgreSQL the root config starts:
//   npx vitest run --root desktop
// (The root config also runs them, in its "embedded" project.)
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    env: { NODE_ENV: "test" },
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
  },
});
