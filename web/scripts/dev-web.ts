/**
 * `npm run dev` for the web workspace (run by turbo): the Next.js dev server (in
 * scripts/serve-web.ts, so the gateway knows each client's address), which also serves the tRPC
 * gateway at /api/trpc, on DIM_GATEWAY_PORT (3000) and DIM_GATEWAY_HOST (loopback), over
 * the embedded database on DIM_EMBEDDED_PG_PORT (packages/shared/src/node/dev-config.ts). No
 * telemetry.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isAppError } from "@dim/shared";
import { busyPorts, devProcessEnv, EMBEDDED_DEV, loadDevConfig, type DevConfig } from "@dim/shared/node";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");

async function checkedConfig(): Promise<DevConfig> {
  const dev = loadDevConfig(process.env, EMBEDDED_DEV);
  const busy = await busyPorts([{ port: dev.webPort, what: "gateway" }], dev.webHost);
  if (busy.length > 0) {
    throw new Error(`port ${busy.join(", ")} already in use (another \`npm run dev\`?): choose another with DIM_GATEWAY_PORT`);
  }
  return dev;
}

const dev = await checkedConfig().catch((err: unknown) => {
  process.stderr.write(`[web dev] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(isAppError(err) ? 2 : 1);
});

const child = spawn(process.execPath, ["--import", "tsx", "scripts/serve-web.ts", "--dev", "-p", String(dev.webPort), "-H", dev.webHost], {
  cwd: webDir,
  stdio: "inherit",
  env: { ...devProcessEnv(process.env, dev), NEXT_TELEMETRY_DISABLED: "1" },
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
