// Runs `prisma generate` without Prisma's binary download (unreachable on our machines, see
// ../shared/environment.md). With engineType = "client" the generator never executes the
// engines; it only checks that a file is there, so we point both variables at node itself.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const cli = require.resolve("prisma/build/index.js");
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};
const result = spawnSync(process.execPath, [cli, "generate", "--schema", "schema.prisma", ...process.argv.slice(2)], {
  stdio: "inherit",
  env,
  cwd: new URL("..", import.meta.url).pathname,
});
process.exit(result.status ?? 1);
