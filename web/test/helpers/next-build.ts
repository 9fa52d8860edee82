/**
 * The browser tests run the production build (`next start`), built into web/.next-test so a
 * developer's `next dev` (.next) is never disturbed. It is rebuilt only when a source it
 * depends on is newer than the last build.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { runToCompletion } from "./processes";
import { NEXT_BIN, REPO, WEB_DIR } from "./paths";

export const TEST_DIST_DIR = ".next-test";

const SOURCES = [
  "web/src",
  "web/next.config.ts",
  "web/postcss.config.mjs",
  "web/package.json",
  "packages/shared/src",
  "packages/api/src",
  "packages/client/src",
  "packages/infra/src",
  "prisma/src",
  "prisma/generated",
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules") continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

export function buildIsFresh(): boolean {
  const buildId = join(WEB_DIR, TEST_DIST_DIR, "BUILD_ID");
  if (!existsSync(buildId)) return false;
  const builtAt = statSync(buildId).mtimeMs;
  return SOURCES.every((s) => newestMtime(join(REPO, s)) < builtAt);
}

export async function ensureProductionBuild(): Promise<void> {
  if (buildIsFresh()) return;
  await runToCompletion({
    label: "next build",
    args: [NEXT_BIN, "build"],
    cwd: WEB_DIR,
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DIM_NEXT_DIST_DIR: TEST_DIST_DIR,
      // `npm test` type-checks every workspace before vitest runs.
      DIM_NEXT_SKIP_TYPECHECK: "1",
    },
    timeoutMs: 15 * 60_000,
  });
}
