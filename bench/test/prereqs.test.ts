/**
 * `npm run bench` on a machine without redis-server: one line saying what to install, exit 1,
 * and nothing left running — not an unhandled `spawn redis-server ENOENT` with an embedded
 * PostgreSQL still up an hour later.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startServices } from "../src/services";

const REPO = join(__dirname, "../..");
// This machine's PATH without redis-server: a dir of links to every other command (node and
// redis-server both live in /usr/bin on Debian, and PostgreSQL's tools need the rest).
const bin = mkdtempSync(join(tmpdir(), "dim-prereq-bin-"));
for (const dir of (process.env.PATH ?? "").split(":").filter((d) => existsSync(d))) {
  for (const cmd of readdirSync(dir)) {
    if (cmd !== "redis-server" && !existsSync(join(bin, cmd))) symlinkSync(join(dir, cmd), join(bin, cmd));
  }
}
afterAll(() => rmSync(bin, { recursive: true, force: true }));
const benchDirs = () => new Set(readdirSync(tmpdir()).filter((d) => d.startsWith("dim-bench-")));

describe("bench prerequisites", () => {
  it("names the missing redis-server in one line and starts nothing", () => {
    const before = benchDirs();
    const r = spawnSync(process.execPath, ["--import", "tsx", "bench/src/cli.ts", "--quick", "--systems", "dim,socketio"], {
      cwd: REPO,
      env: { ...process.env, PATH: bin },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("redis-server not found");
    expect(r.stderr).not.toMatch(/ENOENT|at .*\.ts:\d+/);
    expect(r.stdout).not.toContain("starting embedded PostgreSQL");
    expect([...benchDirs()].filter((d) => !before.has(d))).toEqual([]);
  });

  it("stops the PostgreSQL it started when redis-server cannot start", async () => {
    const before = benchDirs();
    const path = process.env.PATH;
    const lines: string[] = [];
    process.env.PATH = bin;
    try {
      await expect(startServices("embedded", (l) => lines.push(l), true)).rejects.toThrow(/redis-server could not start/);
    } finally {
      process.env.PATH = path;
    }
    expect(lines.some((l) => l.startsWith("starting embedded PostgreSQL"))).toBe(true);
    // The run's temp dir (PostgreSQL's data dir) is gone, so its postmaster is too.
    expect([...benchDirs()].filter((d) => !before.has(d))).toEqual([]);
  });
});
