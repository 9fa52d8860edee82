/**
 * The browser tests run the production build (`next start`), built into web/.next-test so a
 * developer's `next dev` (.next) is never disturbed. It is rebuilt only when a source it
 * depends on is newer than the last build.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
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

const BUILD_TIMEOUT_MS = 15 * 60_000;

/**
 * Several test files (run in parallel worker processes) need the build: one builds while the
 * others wait, because two `next build` into one dist dir corrupt each other. The lock is a
 * directory (mkdir is atomic); one older than the build timeout was left by a killed run.
 */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(WEB_DIR, `${TEST_DIST_DIR}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      try {
        if (Date.now() - statSync(lock).mtimeMs > BUILD_TIMEOUT_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function ensureProductionBuild(): Promise<void> {
  // Freshness is judged only under the lock: `next build` writes BUILD_ID before it has finished,
  // so a check outside it could take a half-written build for a fresh one.
  await withBuildLock(async () => {
    if (!buildIsFresh()) await runBuild();
  });
}

async function runBuild(): Promise<void> {
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
    timeoutMs: BUILD_TIMEOUT_MS,
  });
}
