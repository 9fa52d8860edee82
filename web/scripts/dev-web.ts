/**
 * `npm run dev` for the web workspace (run by turbo): the Next.js dev server, which also serves
 * the tRPC gateway at /api/trpc, on DIM_GATEWAY_PORT (3000) and loopback only. No telemetry.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
const port = process.env.DIM_GATEWAY_PORT ?? "3000";
const host = process.env.DIM_GATEWAY_HOST ?? "127.0.0.1";

const child = spawn(process.execPath, [nextBin, "dev", "-p", port, "-H", host], {
  cwd: webDir,
  stdio: "inherit",
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", DIM_LOG_PRETTY: process.env.DIM_LOG_PRETTY ?? "1" },
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
