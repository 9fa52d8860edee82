/**
 * A real Prometheus for tests: Debian's `prometheus` (or DIM_PROMETHEUS) on a free loopback port,
 * with its own data directory and a generated scrape config (1 s interval), stopped and removed
 * when the test finishes; and an instant query over its HTTP API.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, onTestFinished } from "vitest";
import { freePort } from "@dim/shared/node";

const PROMETHEUS = process.env.DIM_PROMETHEUS ?? "prometheus";

/** Starts Prometheus scraping `targets` (host:port of /metrics listeners) as job `job`; resolves with its URL once ready. */
export async function startPrometheus(targets: string[], job = "dim"): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "dim-prometheus-"));
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 900ms",
      "scrape_configs:",
      `  - job_name: ${job}`,
      "    static_configs:",
      `      - targets: ${JSON.stringify(targets)}`,
      "",
    ].join("\n"),
  );
  const port = await freePort();
  const proc: ChildProcess = spawn(
    PROMETHEUS,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  proc.once("error", (err) => (stderr += `\n${err.message}`));
  onTestFinished(async () => {
    if (proc.exitCode === null) proc.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${url}/-/ready`).catch(() => null))?.ok === true, () => `prometheus not ready:\n${stderr}`);
  return url;
}

/** The value of an instant query with one series (the first); undefined while it has none. */
export async function query(prometheus: string, promql: string): Promise<number | undefined> {
  const res = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data: { result: Array<{ value: [number, string] }> } };
  expect(body.status).toBe("success");
  const value = body.data.result[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}

export async function until(check: () => Promise<boolean>, what: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
