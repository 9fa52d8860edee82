/**
 * `npm run chaos` leaves nothing behind when it is interrupted: SIGTERM in the middle of a
 * scenario stops its services (Kafka, ZooKeeper, Redis, PostgreSQL, S3), the gateway, the core
 * nodes and the client workers, removes its run directory, and exits 143 (128 + SIGTERM). Every process of the
 * run carries DIM_CHAOS_MARK=<run dir> in its environment (or the run dir in its command line),
 * which is what is looked for in /proc.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Pids whose environment or command line names the run directory. */
function processesOf(runDir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${pid}/environ`, "utf8");
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (env.includes(`DIM_CHAOS_MARK=${runDir}`) || cmd.includes(runDir)) found.push(pid);
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

describe("npm run chaos, interrupted", () => {
  it("SIGTERM during a scenario stops everything it started and exits 143 (128 + SIGTERM)", { timeout: 240_000 }, async () => {
    const runDir = mkdtempSync(join(tmpdir(), "dim-chaos-cleanup-"));
    chmodSync(runDir, 0o711); // embedded PostgreSQL runs as another user: it must pass through
    const env: NodeJS.ProcessEnv = { ...process.env, DIM_CHAOS_RUN_DIR: runDir, DIM_CHAOS_MARK: runDir };
    delete env.NODE_ENV;
    const cli = spawn(process.execPath, ["--import", "tsx", "scripts/chaos/cli.ts", "--scenarios", "client-disconnects", "--duration", "60", "--clients", "2"], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    createInterface({ input: cli.stderr! }).on("line", (l) => lines.push(l));
    const exited = new Promise<number | null>((resolve) => cli.once("exit", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      cli.once("exit", () => reject(new Error(`the chaos CLI exited before traffic started:\n${lines.join("\n")}`)));
      createInterface({ input: cli.stdout! }).on("line", (l) => {
        lines.push(l);
        if (l.includes("clients connected")) resolve();
      });
    });
    const during = processesOf(runDir);
    // the services (5), the gateway, 3 core nodes, a client worker — and the CLI itself
    expect(during.length, `processes of the run:\n${lines.join("\n")}`).toBeGreaterThanOrEqual(10);

    cli.kill("SIGTERM");
    expect(await exited, lines.join("\n")).toBe(143);
    expect(processesOf(runDir), lines.join("\n")).toEqual([]);
    expect(existsSync(runDir)).toBe(false);
  });
});
