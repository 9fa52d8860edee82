/**
 * Bundles the main process and the preload with esbuild into desktop/dist:
 *   dist/main.cjs     Electron main (CommonJS; "electron" stays external, everything else is inlined,
 *                     so the packaged app needs no node_modules)
 *   dist/preload.cjs  sandboxed preload (CommonJS; may only require "electron")
 * Usage: npm run build -w @dim/desktop   (add --check to also verify the bundles' requires)
 */
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type BuildOptions } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };

export async function buildDesktop(outdir = dist): Promise<{ main: string; preload: string }> {
  rmSync(outdir, { recursive: true, force: true });
  const common: BuildOptions = {
    bundle: true,
    format: "cjs",
    platform: "node",
    external: ["electron"],
    sourcemap: "linked",
    legalComments: "none",
    logLevel: "warning",
    define: { __DIM_DESKTOP_VERSION__: JSON.stringify(version) },
  };
  const main = join(outdir, "main.cjs");
  const preload = join(outdir, "preload.cjs");
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(root, "src/main/electron/main.ts")],
      outfile: main,
      // Electron 37 runs Node 22.
      target: "node22",
      // Shared modules use import.meta.url; in a CommonJS bundle it is the bundle's own file URL.
      define: { ...common.define, "import.meta.url": "__dim_import_meta_url" },
      banner: { js: 'const __dim_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    }),
    build({
      ...common,
      entryPoints: [join(root, "src/preload/preload.ts")],
      outfile: preload,
      platform: "browser",
      target: "chrome138",
    }),
  ]);
  return { main, preload };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildDesktop();
  console.log(`built ${out.main}\nbuilt ${out.preload}`);
}
