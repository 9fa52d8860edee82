import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** node_modules lookup from `from` upwards (plain fs: webpack must not rewrite it). */
function findPackageEntry(name: string, from: string): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkgDir = join(dir, "node_modules", name);
    const manifest = join(pkgDir, "package.json");
    if (existsSync(manifest)) {
      const main = (JSON.parse(readFileSync(manifest, "utf8")) as { main?: unknown }).main;
      return join(pkgDir, typeof main === "string" ? main : "index.js");
    }
    if (dirname(dir) === dir) return null;
  }
}

/**
 * pino finds a transport target (pino-pretty, for DIM_LOG_PRETTY=1) from the file names of its
 * callers; inside a Next.js bundle those are `webpack-internal:` names and the lookup fails.
 * pino reads absolute paths from `globalThis.__bundlerPathsOverrides` first: give it one.
 */
export function pinPinoTransportPaths(): void {
  const g = globalThis as { __bundlerPathsOverrides?: Record<string, string> };
  if (g.__bundlerPathsOverrides?.["pino-pretty"]) return;
  // Next runs with the web workspace as its working directory. Not installed (a production
  // install without dev dependencies): logs stay JSON, DIM_LOG_PRETTY must then be unset.
  const entry = findPackageEntry("pino-pretty", process.cwd());
  if (entry) g.__bundlerPathsOverrides = { ...g.__bundlerPathsOverrides, "pino-pretty": entry };
}
