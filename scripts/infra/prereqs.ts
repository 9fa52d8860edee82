/**
 * What the cluster services need on PATH. Each problem is one line naming what to install.
 * Maven is needed only while jars are not cached yet, Go only while versitygw is not built yet.
 */
import { spawnSync } from "node:child_process";
import { VERSIONS } from "./paths";
import { goProblem } from "./versitygw-build";

export class MissingPrerequisiteError extends Error {
  override readonly name = "MissingPrerequisiteError";
}

function run(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 30_000 });
  if (r.error) return null;
  return `${r.stdout ?? ""}${r.stderr ?? ""}`;
}

export function javaMajorVersion(): number | null {
  const out = run("java", ["-version"]);
  if (out === null) return null;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(out);
  if (!m) return 0;
  const major = Number(m[1]);
  return major === 1 ? Number(m[2] ?? 0) : major; // "1.8.0" → 8
}

/** Throws MissingPrerequisiteError whose message is one line per missing tool. */
export function checkPrerequisites(opts: { needMaven: boolean; needGo?: boolean }): void {
  const missing: string[] = [];
  const java = javaMajorVersion();
  if (java === null) missing.push("java not found: apt-get install -y openjdk-17-jre-headless");
  else if (java < 17) missing.push(`java ${java} is too old (17+ needed): apt-get install -y openjdk-17-jre-headless`);
  if (opts.needMaven && run("mvn", ["-v"]) === null) missing.push("mvn not found: apt-get install -y maven");
  if (run("redis-server", ["--version"]) === null) missing.push("redis-server not found: apt-get install -y redis-server");
  const go = opts.needGo ? goProblem(VERSIONS.versitygw) : null;
  if (go) missing.push(go);
  if (missing.length > 0) throw new MissingPrerequisiteError(missing.join("\n"));
}

/** setpriv (util-linux) gives children a parent-death signal, so a killed launcher leaves nothing behind. */
export function hasSetpriv(): boolean {
  return run("setpriv", ["--version"]) !== null;
}

export function redisVersion(): string {
  const out = run("redis-server", ["--version"]) ?? "";
  return /v=(\S+)/.exec(out)?.[1] ?? "unknown";
}
