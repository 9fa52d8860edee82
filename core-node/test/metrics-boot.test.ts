/**
 * A node process whose metrics listener would be open to the network without a token does not
 * start: main.ts exits with code 2 and names the variable, before it touches the database.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

describe("core node boot with a bad metrics configuration", () => {
  it("exits with INVALID_CONFIG naming DIM_METRICS_TOKEN and DIM_METRICS_PORT", () => {
    const run = spawnSync(TSX, [MAIN], {
      env: { PATH: process.env.PATH, DIM_METRICS_HOST: "0.0.0.0", DIM_METRICS_PORT: "65536", DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("invalid core node configuration");
    expect(run.stderr).toContain("metrics.DIM_METRICS_TOKEN");
    expect(run.stderr).toContain("metrics.DIM_METRICS_PORT");
  }, 70_000);
});
