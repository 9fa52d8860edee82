/**
 * `node --import ./bench/scripts/module-swap.mjs` with BENCH_SWAP="from.ts=to.ts" (paths from the
 * repository root): every import that resolves to `from.ts` loads `to.ts` instead. The bench uses
 * it to run DIM's core nodes with another version of one module (`--swap`), so a before/after
 * comparison runs the same harness on the same machine, minutes apart.
 */
import { register } from "node:module";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const spec = process.env.BENCH_SWAP ?? "";
const [from, to] = spec.split("=");
if (from && to) {
  const root = resolve(new URL("../..", import.meta.url).pathname);
  register("./module-swap-hooks.mjs", import.meta.url, {
    data: { from: pathToFileURL(resolve(root, from)).href, to: pathToFileURL(resolve(root, to)).href },
  });
}
